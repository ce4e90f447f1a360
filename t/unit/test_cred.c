/* Credentials without I/O: a profile of the SDKs' INI credentials file, the
 * ECS metadata service's answer for a role, the role listing, a secret
 * file's text, when to refresh, and copying and wiping. The reader of the
 * files that hold them is tested in test_file_readers.c. */
#include "core/cred.h"

#include "core/apiclock.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Values that must never show up in a reason. */
#define KEY_ID "LTAI5tKeyIdForTests"
#define SECRET "Zx9SecretValueForTests"
#define TOKEN "CAIStokenValueForTests"

static cred_profile_t profile;
static cred_t cred;
static char why[256];

static void teardown(void) {
  cred_profile_free(&profile);
  cred_free(&cred);
}

static int parse_ini(const char *text, const char *name) {
  cred_profile_free(&profile);
  strcpy(why, "");
  return cred_parse_ini(text, name, &profile, why, sizeof(why));
}

static int parse_metadata(const char *body) {
  cred_free(&cred);
  strcpy(why, "");
  return cred_parse_metadata(body, &cred, why, sizeof(why));
}

static void assert_why_names(const char *word) {
  ck_assert_msg(strstr(why, word) != NULL, "\"%s\" does not name %s", why,
                word);
}

/* Whatever the reason says, it holds no secret value. */
static void assert_why_holds_no_secret(void) {
  ck_assert_msg(strstr(why, SECRET) == NULL, "\"%s\" holds the secret", why);
  ck_assert_msg(strstr(why, TOKEN) == NULL, "\"%s\" holds the token", why);
}

/* The profile parsed is an access key with these values and nothing else. */
static void assert_access_key(const char *id, const char *secret) {
  ck_assert_int_eq(profile.type, CRED_PROFILE_ACCESS_KEY);
  ck_assert_str_eq(profile.cred.access_key_id, id);
  ck_assert_str_eq(profile.cred.access_key_secret, secret);
  ck_assert_ptr_null(profile.cred.security_token);
  ck_assert_ptr_null(profile.role_name);
  ck_assert_int_eq(profile.cred.expiration, 0);
}

/* The profile is refused, naming the profile and each word given. */
static void assert_ini_refused(const char *text, const char *name,
                               const char *word) {
  ck_assert_int_eq(parse_ini(text, name), -1);
  assert_why_names(name);
  if (word != NULL)
    assert_why_names(word);
  assert_why_holds_no_secret();
  ck_assert_ptr_null(profile.cred.access_key_id);
  ck_assert_ptr_null(profile.cred.access_key_secret);
  ck_assert_ptr_null(profile.cred.security_token);
  ck_assert_ptr_null(profile.role_name);
}

/* ---- cred_parse_ini ---- */

START_TEST(the_default_section_gives_an_access_key) {
  ck_assert_int_eq(parse_ini("[default]\n"
                             "type = access_key\n"
                             "access_key_id = " KEY_ID "\n"
                             "access_key_secret = " SECRET "\n",
                             "default"),
                   0);
  assert_access_key(KEY_ID, SECRET);
}
END_TEST

START_TEST(a_named_profile_is_read_from_among_several) {
  static const char text[] = "access_key_id = before-any-section\n"
                             "[default]\n"
                             "access_key_id = id-default\n"
                             "access_key_secret = secret-default\n"
                             "[prod]\n"
                             "access_key_id = id-prod\n"
                             "access_key_secret = secret-prod\n"
                             "[staging]\n"
                             "access_key_id = id-staging\n"
                             "access_key_secret = secret-staging\n";
  ck_assert_int_eq(parse_ini(text, "prod"), 0);
  assert_access_key("id-prod", "secret-prod");
  ck_assert_int_eq(parse_ini(text, "staging"), 0);
  assert_access_key("id-staging", "secret-staging");
  ck_assert_int_eq(parse_ini(text, "default"), 0);
  assert_access_key("id-default", "secret-default");
}
END_TEST

START_TEST(keys_of_another_profile_do_not_complete_this_one) {
  assert_ini_refused("[prod]\n"
                     "access_key_id = id-prod\n"
                     "[other]\n"
                     "access_key_secret = " SECRET "\n",
                     "prod", "access_key_secret");
}
END_TEST

START_TEST(without_a_type_a_profile_is_an_access_key) {
  ck_assert_int_eq(parse_ini("[default]\n"
                             "access_key_id = " KEY_ID "\n"
                             "access_key_secret = " SECRET "\n",
                             "default"),
                   0);
  assert_access_key(KEY_ID, SECRET);
}
END_TEST

START_TEST(an_access_key_profile_leaves_a_security_token_out) {
  ck_assert_int_eq(parse_ini("[default]\n"
                             "type = access_key\n"
                             "access_key_id = " KEY_ID "\n"
                             "access_key_secret = " SECRET "\n"
                             "security_token = " TOKEN "\n",
                             "default"),
                   0);
  assert_access_key(KEY_ID, SECRET);
}
END_TEST

/* Both spellings of the STS token's key. */
static const char *const token_keys[] = {"security_token", "sts_token"};

START_TEST(an_sts_profile_carries_its_security_token) {
  char text[256];
  snprintf(text, sizeof(text),
           "[sts]\ntype = sts\naccess_key_id = STS.%s\n"
           "access_key_secret = %s\n%s = %s\n",
           KEY_ID, SECRET, token_keys[_i], TOKEN);
  ck_assert_int_eq(parse_ini(text, "sts"), 0);
  ck_assert_int_eq(profile.type, CRED_PROFILE_STS);
  ck_assert_str_eq(profile.cred.access_key_id, "STS." KEY_ID);
  ck_assert_str_eq(profile.cred.access_key_secret, SECRET);
  ck_assert_str_eq(profile.cred.security_token, TOKEN);
  ck_assert_ptr_null(profile.role_name);
}
END_TEST

START_TEST(an_ecs_ram_role_profile_names_its_role) {
  ck_assert_int_eq(parse_ini("[ecs]\n"
                             "type = ecs_ram_role\n"
                             "role_name = EcsRamRoleDcdn\n",
                             "ecs"),
                   0);
  ck_assert_int_eq(profile.type, CRED_PROFILE_ECS_RAM_ROLE);
  ck_assert_str_eq(profile.role_name, "EcsRamRoleDcdn");
  ck_assert_ptr_null(profile.cred.access_key_id);
  ck_assert_ptr_null(profile.cred.access_key_secret);
  ck_assert_ptr_null(profile.cred.security_token);
}
END_TEST

START_TEST(an_ecs_ram_role_profile_without_a_role_name_discovers_it) {
  static const char *const texts[] = {
      "[ecs]\ntype = ecs_ram_role\n",
      "[ecs]\ntype = ecs_ram_role\nrole_name =\n",
      "[ecs]\ntype = ecs_ram_role\nrole_name =   \n",
  };
  for (size_t i = 0; i < N_OF(texts); i++) {
    ck_assert_msg(parse_ini(texts[i], "ecs") == 0, "%s: %s", texts[i], why);
    ck_assert_int_eq(profile.type, CRED_PROFILE_ECS_RAM_ROLE);
    ck_assert_ptr_null(profile.role_name);
  }
}
END_TEST

START_TEST(a_ram_role_arn_profile_gives_its_key_and_its_role) {
  ck_assert_int_eq(parse_ini("[assume]\n"
                             "type = ram_role_arn\n"
                             "access_key_id = " KEY_ID "\n"
                             "access_key_secret = " SECRET "\n"
                             "role_arn = acs:ram::123456789012:role/dcdn\n"
                             "role_session_name = collectd\n"
                             "policy = {\"Version\":\"1\"}\n",
                             "assume"),
                   0);
  ck_assert_int_eq(profile.type, CRED_PROFILE_RAM_ROLE_ARN);
  ck_assert_str_eq(profile.cred.access_key_id, KEY_ID);
  ck_assert_str_eq(profile.cred.access_key_secret, SECRET);
  ck_assert_ptr_null(profile.cred.security_token);
  ck_assert_str_eq(profile.role.arn, "acs:ram::123456789012:role/dcdn");
  ck_assert_str_eq(profile.role.session_name, "collectd");
  ck_assert_str_eq(profile.role.policy, "{\"Version\":\"1\"}");
  ck_assert_ptr_null(profile.role.external_id);
  ck_assert_int_eq(profile.role.duration, 0);
}
END_TEST

START_TEST(a_ram_role_arn_profile_may_leave_session_and_policy_out) {
  ck_assert_int_eq(parse_ini("[assume]\ntype = ram_role_arn\n"
                             "access_key_id = " KEY_ID "\n"
                             "access_key_secret = " SECRET "\n"
                             "role_arn = acs:ram::1:role/r\npolicy =\n",
                             "assume"),
                   0);
  ck_assert_ptr_null(profile.role.session_name);
  ck_assert_ptr_null(profile.role.policy);
}
END_TEST

START_TEST(another_type_is_refused_naming_profile_and_type) {
  assert_ini_refused("[oidc]\ntype = oidc_role_arn\n", "oidc", "oidc_role_arn");
}
END_TEST

/* Each key a profile cannot do without, left out or left empty. */
static const struct {
  const char *text, *key;
} missing_keys[] = {
    {"[p]\naccess_key_secret = " SECRET "\n", "access_key_id"},
    {"[p]\naccess_key_id =\naccess_key_secret = " SECRET "\n", "access_key_id"},
    {"[p]\naccess_key_id = " KEY_ID "\n", "access_key_secret"},
    {"[p]\naccess_key_id = " KEY_ID "\naccess_key_secret = \n",
     "access_key_secret"},
    {"[p]\ntype = sts\naccess_key_secret = " SECRET "\nsecurity_token = " TOKEN
     "\n",
     "access_key_id"},
    {"[p]\ntype = sts\naccess_key_id = " KEY_ID "\nsecurity_token = " TOKEN
     "\n",
     "access_key_secret"},
    {"[p]\ntype = sts\naccess_key_id = " KEY_ID "\naccess_key_secret = " SECRET
     "\n",
     "security_token"},
    {"[p]\ntype = sts\naccess_key_id = " KEY_ID "\naccess_key_secret = " SECRET
     "\nsts_token =\n",
     "security_token"},
    {"[p]\ntype = ram_role_arn\naccess_key_id = " KEY_ID
     "\naccess_key_secret = " SECRET "\nrole_session_name = s\n",
     "role_arn"},
    {"[p]\ntype = ram_role_arn\naccess_key_secret = " SECRET
     "\nrole_arn = acs:ram::1:role/r\n",
     "access_key_id"},
};

START_TEST(a_missing_key_is_refused_naming_it_and_no_secret) {
  assert_ini_refused(missing_keys[_i].text, "p", missing_keys[_i].key);
}
END_TEST

START_TEST(comments_blank_lines_and_spaces_are_skipped) {
  ck_assert_int_eq(parse_ini("# Alibaba Cloud credentials\n"
                             "; written by hand\n"
                             "\n"
                             "  [ default ]  \n"
                             "\n"
                             "  # access_key_id = commented-out\n"
                             "\t; access_key_secret = commented-out\n"
                             "type=access_key\n"
                             "access_key_id    =\t" KEY_ID "   \n"
                             "\n"
                             "   access_key_secret= " SECRET "\n"
                             "\n",
                             "default"),
                   0);
  assert_access_key(KEY_ID, SECRET);
}
END_TEST

START_TEST(crlf_line_endings_are_read) {
  ck_assert_int_eq(parse_ini("# from Windows\r\n"
                             "[default]\r\n"
                             "type = sts\r\n"
                             "access_key_id = " KEY_ID "\r\n"
                             "access_key_secret = " SECRET "\r\n"
                             "security_token = " TOKEN "\r\n"
                             "\r\n"
                             "[ecs]\r\n"
                             "type = ecs_ram_role\r\n"
                             "role_name = EcsRamRoleDcdn\r\n",
                             "default"),
                   0);
  ck_assert_int_eq(profile.type, CRED_PROFILE_STS);
  ck_assert_str_eq(profile.cred.access_key_id, KEY_ID);
  ck_assert_str_eq(profile.cred.access_key_secret, SECRET);
  ck_assert_str_eq(profile.cred.security_token, TOKEN);
}
END_TEST

START_TEST(a_file_without_a_final_newline_is_read) {
  ck_assert_int_eq(parse_ini("[default]\n"
                             "access_key_id = " KEY_ID "\n"
                             "access_key_secret = " SECRET,
                             "default"),
                   0);
  assert_access_key(KEY_ID, SECRET);
}
END_TEST

START_TEST(a_missing_profile_is_refused_naming_it) {
  static const char text[] = "[default]\n"
                             "access_key_id = " KEY_ID "\n"
                             "access_key_secret = " SECRET "\n"
                             "[production]\n"
                             "access_key_id = " KEY_ID "\n"
                             "access_key_secret = " SECRET "\n";
  assert_ini_refused(text, "prod", NULL);
  assert_ini_refused(text, "Default", NULL);
  assert_ini_refused("", "default", NULL);
  assert_ini_refused("access_key_id = " KEY_ID "\n"
                     "access_key_secret = " SECRET "\n",
                     "default", NULL);
}
END_TEST

/* ---- cred_parse_metadata ---- */

/* The metadata service's answer, as documented. */
static const char metadata_body[] =
    "{\n"
    "  \"AccessKeyId\" : \"STS." KEY_ID "\",\n"
    "  \"AccessKeySecret\" : \"" SECRET "\",\n"
    "  \"Expiration\" : \"2021-09-26T03:46:38Z\",\n"
    "  \"SecurityToken\" : \"" TOKEN "\",\n"
    "  \"LastUpdated\" : \"2021-09-25T21:46:38Z\",\n"
    "  \"Code\" : \"Success\"\n"
    "}";

START_TEST(the_documented_answer_gives_credentials_that_expire) {
  ck_assert_int_eq(parse_metadata(metadata_body), 0);
  ck_assert_str_eq(cred.access_key_id, "STS." KEY_ID);
  ck_assert_str_eq(cred.access_key_secret, SECRET);
  ck_assert_str_eq(cred.security_token, TOKEN);
  /* date -u -d 2021-09-26T03:46:38Z +%s */
  ck_assert_int_eq(cred.expiration, (time_t)1632627998);
  ck_assert_int_eq(cred.obtained, 0);
}
END_TEST

/* Refused with a reason naming word, and nothing filled in. */
static void assert_metadata_refused(const char *body, const char *word) {
  ck_assert_msg(parse_metadata(body) == -1, "accepted %s", body);
  ck_assert_str_ne(why, "");
  if (word != NULL)
    assert_why_names(word);
  assert_why_holds_no_secret();
  ck_assert_ptr_null(cred.access_key_id);
  ck_assert_ptr_null(cred.access_key_secret);
  ck_assert_ptr_null(cred.security_token);
  ck_assert_int_eq(cred.expiration, 0);
}

START_TEST(a_code_other_than_success_is_refused) {
  assert_metadata_refused("{\"Code\":\"Failed\",\"AccessKeyId\":\"" KEY_ID
                          "\",\"AccessKeySecret\":\"" SECRET
                          "\",\"SecurityToken\":\"" TOKEN
                          "\",\"Expiration\":\"2021-09-26T03:46:38Z\"}",
                          "Failed");
  assert_metadata_refused("{\"Code\":\"success\",\"AccessKeyId\":\"" KEY_ID
                          "\",\"AccessKeySecret\":\"" SECRET
                          "\",\"SecurityToken\":\"" TOKEN
                          "\",\"Expiration\":\"2021-09-26T03:46:38Z\"}",
                          "Code");
  assert_metadata_refused("{\"AccessKeyId\":\"" KEY_ID
                          "\",\"AccessKeySecret\":\"" SECRET
                          "\",\"SecurityToken\":\"" TOKEN
                          "\",\"Expiration\":\"2021-09-26T03:46:38Z\"}",
                          "Code");
}
END_TEST

/* The four fields besides Code, in the documented answer's order. */
static const char *const metadata_fields[] = {"AccessKeyId", "AccessKeySecret",
                                              "SecurityToken", "Expiration"};
static const char *const metadata_values[] = {KEY_ID, SECRET, TOKEN,
                                              "2021-09-26T03:46:38Z"};

/* The answer with field skip left out (or, if empty, given as ""). */
static void metadata_without(char *body, size_t size, size_t skip, bool empty) {
  snprintf(body, size, "{\"Code\":\"Success\"");
  for (size_t i = 0; i < N_OF(metadata_fields); i++)
    if (i != skip || empty) {
      size_t len = strlen(body);
      snprintf(body + len, size - len, ",\"%s\":\"%s\"", metadata_fields[i],
               i == skip ? "" : metadata_values[i]);
    }
  strncat(body, "}", size - strlen(body) - 1);
}

START_TEST(each_missing_field_is_refused_naming_it) {
  char body[512];
  metadata_without(body, sizeof(body), _i, false);
  assert_metadata_refused(body, metadata_fields[_i]);
  metadata_without(body, sizeof(body), _i, true);
  assert_metadata_refused(body, metadata_fields[_i]);
}
END_TEST

START_TEST(a_field_of_another_json_type_is_refused_naming_it) {
  assert_metadata_refused("{\"Code\":\"Success\",\"AccessKeyId\":\"" KEY_ID
                          "\",\"AccessKeySecret\":\"" SECRET
                          "\",\"SecurityToken\":\"" TOKEN
                          "\",\"Expiration\":1632627998}",
                          "Expiration");
}
END_TEST

START_TEST(an_expiration_not_in_the_api_format_is_refused) {
  static const char *const times[] = {
      "2021-09-26 03:46:38",       "2021-09-26T03:46:38",
      "2021-09-26T03:46:38+08:00", "2021-09-26T03:46:38.000Z",
      "2021-13-26T03:46:38Z",      "tomorrow",
  };
  for (size_t i = 0; i < N_OF(times); i++) {
    char body[512];
    snprintf(body, sizeof(body),
             "{\"Code\":\"Success\",\"AccessKeyId\":\"%s\","
             "\"AccessKeySecret\":\"%s\",\"SecurityToken\":\"%s\","
             "\"Expiration\":\"%s\"}",
             KEY_ID, SECRET, TOKEN, times[i]);
    assert_metadata_refused(body, "Expiration");
  }
}
END_TEST

START_TEST(a_body_that_is_not_a_json_object_is_refused) {
  static const char *const bodies[] = {
      "",
      "<html><body>404 Not Found</body></html>",
      "Success",
      "[\"Code\",\"Success\"]",
      "\"Success\"",
      "{\"Code\":\"Success\",\"AccessKeyId\":",
  };
  for (size_t i = 0; i < N_OF(bodies); i++)
    assert_metadata_refused(bodies[i], NULL);
}
END_TEST

/* The answer is read as a stream (nothing but its fields is copied): it
 * reads as yajl's tree did. */
#define METADATA_FIELDS                                                        \
  "\"AccessKeyId\":\"" KEY_ID "\",\"AccessKeySecret\":\"" SECRET               \
  "\",\"SecurityToken\":\"" TOKEN "\",\"Expiration\":\"2021-09-26T03:46:38Z\""

START_TEST(of_duplicate_keys_the_first_counts) {
  ck_assert_int_eq(parse_metadata("{\"Code\":\"Success\"," METADATA_FIELDS
                                  ",\"AccessKeySecret\":\"other\"}"),
                   0);
  ck_assert_str_eq(cred.access_key_secret, SECRET);
  assert_metadata_refused(
      "{\"Code\":1,\"Code\":\"Success\"," METADATA_FIELDS "}", "Code");
}
END_TEST

START_TEST(escapes_comments_and_other_members_are_read) {
  ck_assert_int_eq(
      parse_metadata("/* IMDS */ {\"Code\":\"Success\",\"LastUpdated\":"
                     "{\"AccessKeySecret\":\"nested\"},\"List\":[1,{\"a\":"
                     "null}],\"Ok\":true, " METADATA_FIELDS
                     ",\"SecurityToken\":\"x\"} // end\n"),
      0);
  ck_assert_str_eq(cred.access_key_secret, SECRET);
  ck_assert_str_eq(cred.security_token, TOKEN);
  ck_assert_int_eq(
      parse_metadata("{\"Code\":\"Success\",\"AccessKeyId\":\"a\\/b"
                     "\\u0041\",\"AccessKeySecret\":\"s\\\"\\\\\","
                     "\"SecurityToken\":\"t\",\"Expiration\":"
                     "\"2021-09-26T03:46:38Z\"}"),
      0);
  ck_assert_str_eq(cred.access_key_id, "a/bA");
  ck_assert_str_eq(cred.access_key_secret, "s\"\\");
}
END_TEST

START_TEST(a_field_only_inside_a_nested_value_is_missing) {
  assert_metadata_refused(
      "{\"Code\":\"Success\",\"Inner\":{" METADATA_FIELDS "}}", "AccessKeyId");
  assert_metadata_refused(
      "{\"Code\":\"Success\",\"AccessKeyId\":{\"x\":\"" KEY_ID
      "\"},\"AccessKeySecret\":\"" SECRET "\",\"SecurityToken\":\"" TOKEN
      "\",\"Expiration\":\"2021-09-26T03:46:38Z\"}",
      "AccessKeyId");
}
END_TEST

START_TEST(anything_after_the_object_is_refused) {
  assert_metadata_refused("{\"Code\":\"Success\"," METADATA_FIELDS "} {}",
                          NULL);
  assert_metadata_refused("{\"Code\":\"Success\"," METADATA_FIELDS "} x", NULL);
}
END_TEST

/* ---- cred_first_role ---- */

static const struct {
  const char *listing, *role; /* role NULL: none */
} listings[] = {
    {"EcsRamRoleDcdn", "EcsRamRoleDcdn"},
    {"EcsRamRoleDcdn\n", "EcsRamRoleDcdn"},
    {"EcsRamRoleDcdn\nOtherRole\nThirdRole\n", "EcsRamRoleDcdn"},
    {"\n\n  \nEcsRamRoleDcdn\nOtherRole", "EcsRamRoleDcdn"},
    {"EcsRamRoleDcdn\r\nOtherRole\r\n", "EcsRamRoleDcdn"},
    {"", NULL},
    {"\n", NULL},
    {"\n \n\r\n", NULL},
};

START_TEST(the_first_role_of_a_listing_is_taken) {
  char *role = cred_first_role(listings[_i].listing);
  if (listings[_i].role == NULL)
    ck_assert_msg(role == NULL, "\"%s\" from a listing without roles", role);
  else
    ck_assert_str_eq(role, listings[_i].role);
  free(role);
}
END_TEST

/* ---- cred_secret_from_file_text ---- */

static const struct {
  const char *text, *secret;
} secret_files[] = {
    {SECRET "\n", SECRET},
    {SECRET "\r\n", SECRET},
    {SECRET "\n\n\n", SECRET},
    {SECRET "\r\n\r\n", SECRET},
    {SECRET, SECRET},
    {"", ""},
    {"\n", ""},
    {" " SECRET " \n", " " SECRET " "},
};

START_TEST(a_secret_file_loses_only_its_trailing_newlines) {
  char *secret = cred_secret_from_file_text(secret_files[_i].text);
  ck_assert_str_eq(secret, secret_files[_i].secret);
  free(secret);
}
END_TEST

/* ---- cred_needs_refresh ---- */

/* Credentials obtained at obtained that expire at expiration. */
static cred_t lasting(time_t obtained, time_t expiration) {
  return (cred_t){KEY_ID, SECRET, TOKEN, expiration, obtained};
}

START_TEST(without_credentials_a_refresh_is_needed) {
  cred_t none = {0};
  ck_assert(cred_needs_refresh(&none, 1000));
  none.expiration = 1000000;
  none.obtained = 1000;
  ck_assert(cred_needs_refresh(&none, 1000));
}
END_TEST

START_TEST(credentials_without_an_expiration_never_need_a_refresh) {
  cred_t forever = lasting(1000, 0);
  ck_assert(!cred_needs_refresh(&forever, 1000));
  ck_assert(!cred_needs_refresh(&forever, 2000000000));
}
END_TEST

START_TEST(six_hour_credentials_refresh_fifteen_minutes_before_expiry) {
  const time_t t0 = 1632606398, expiry = t0 + 6 * 3600;
  cred_t c = lasting(t0, expiry);
  ck_assert(!cred_needs_refresh(&c, t0));
  ck_assert(!cred_needs_refresh(&c, t0 + 3 * 3600));
  ck_assert(!cred_needs_refresh(&c, expiry - CRED_REFRESH_AHEAD - 1));
  ck_assert(cred_needs_refresh(&c, expiry - CRED_REFRESH_AHEAD));
  ck_assert(cred_needs_refresh(&c, expiry - 1));
  ck_assert_int_eq(CRED_REFRESH_AHEAD, 15 * 60);
}
END_TEST

START_TEST(four_second_credentials_refresh_half_way) {
  const time_t t0 = 1632606398;
  cred_t c = lasting(t0, t0 + 4);
  ck_assert(!cred_needs_refresh(&c, t0));
  ck_assert(!cred_needs_refresh(&c, t0 + 1));
  ck_assert(cred_needs_refresh(&c, t0 + 2));
  ck_assert(cred_needs_refresh(&c, t0 + 3));
}
END_TEST

/* An expiration is the API's time: judged on the API's clock (its
 * answers' Date), a key is renewed in time even where this host's clock
 * is a minute behind the API's, and would keep it past its expiry. */
START_TEST(credentials_are_judged_on_the_apis_clock) {
  const time_t host = 1632606398;
  apiclock_t clock = {0};
  apiclock_observe(&clock, host + 60, (double)host + 0.5);
  ck_assert_int_eq(clock.offset, 60);
  /* Three-second credentials, just obtained (on the API's clock). */
  time_t api = apiclock_now(&clock, host);
  cred_t c = lasting(api, api + 3);
  ck_assert(!cred_needs_refresh(&c, apiclock_now(&clock, host)));
  ck_assert(cred_needs_refresh(&c, apiclock_now(&clock, host + 2)));
  ck_assert(cred_needs_refresh(&c, apiclock_now(&clock, host + 3)));
  /* On this host's clock they would look good for another minute. */
  ck_assert(!cred_needs_refresh(&c, host + 3));
}
END_TEST

START_TEST(expired_credentials_need_a_refresh) {
  const time_t t0 = 1632606398;
  cred_t c = lasting(t0, t0 + 6 * 3600);
  ck_assert(cred_needs_refresh(&c, t0 + 6 * 3600));
  ck_assert(cred_needs_refresh(&c, t0 + 7 * 3600));
  /* Not known when obtained (0): still refreshed ahead of expiry. */
  c.obtained = 0;
  ck_assert(!cred_needs_refresh(&c, t0));
  ck_assert(cred_needs_refresh(&c, t0 + 6 * 3600 - CRED_REFRESH_AHEAD));
  ck_assert(cred_needs_refresh(&c, t0 + 7 * 3600));
  /* Obtained after they expired, then the clock stepped back: still
   * expired at expiry, not only some time after it. */
  c = lasting(t0 + 7 * 3600, t0 + 6 * 3600);
  ck_assert(cred_needs_refresh(&c, t0 + 6 * 3600));
  ck_assert(cred_needs_refresh(&c, t0 + 7 * 3600));
  c = lasting(t0, t0);
  ck_assert(cred_needs_refresh(&c, t0));
}
END_TEST

/* ---- cred_copy, cred_free ---- */

START_TEST(a_copy_is_deep) {
  cred_t src = {strdup(KEY_ID), strdup(SECRET), strdup(TOKEN), 1632627998,
                1632606398};
  ck_assert_int_eq(cred_copy(&cred, &src), 0);
  ck_assert_ptr_ne(cred.access_key_id, src.access_key_id);
  ck_assert_ptr_ne(cred.access_key_secret, src.access_key_secret);
  ck_assert_ptr_ne(cred.security_token, src.security_token);
  cred_free(&src);
  ck_assert_str_eq(cred.access_key_id, KEY_ID);
  ck_assert_str_eq(cred.access_key_secret, SECRET);
  ck_assert_str_eq(cred.security_token, TOKEN);
  ck_assert_int_eq(cred.expiration, 1632627998);
  ck_assert_int_eq(cred.obtained, 1632606398);
}
END_TEST

START_TEST(a_copy_without_a_token_has_none) {
  const cred_t src = {KEY_ID, SECRET, NULL, 0, 0};
  ck_assert_int_eq(cred_copy(&cred, &src), 0);
  ck_assert_str_eq(cred.access_key_id, KEY_ID);
  ck_assert_str_eq(cred.access_key_secret, SECRET);
  ck_assert_ptr_null(cred.security_token);
  const cred_t empty = {0};
  cred_free(&cred);
  ck_assert_int_eq(cred_copy(&cred, &empty), 0);
  ck_assert_ptr_null(cred.access_key_id);
  ck_assert_ptr_null(cred.access_key_secret);
}
END_TEST

START_TEST(freeing_leaves_every_field_cleared_and_may_be_repeated) {
  const cred_t src = {KEY_ID, SECRET, TOKEN, 1632627998, 1632606398};
  ck_assert_int_eq(cred_copy(&cred, &src), 0);
  cred_free(&cred);
  ck_assert_ptr_null(cred.access_key_id);
  ck_assert_ptr_null(cred.access_key_secret);
  ck_assert_ptr_null(cred.security_token);
  ck_assert_int_eq(cred.expiration, 0);
  ck_assert_int_eq(cred.obtained, 0);
  cred_free(&cred);
  ck_assert_ptr_null(cred.access_key_id);
  ck_assert(cred_needs_refresh(&cred, 0));
}
END_TEST

START_TEST(freeing_a_profile_clears_it) {
  ck_assert_int_eq(
      parse_ini("[ecs]\ntype = ecs_ram_role\nrole_name = R\n", "ecs"), 0);
  cred_profile_free(&profile);
  ck_assert_ptr_null(profile.role_name);
  ck_assert_int_eq(profile.type, CRED_PROFILE_ACCESS_KEY);
  ck_assert_int_eq(parse_ini("[s]\ntype = sts\naccess_key_id = " KEY_ID
                             "\naccess_key_secret = " SECRET
                             "\nsecurity_token = " TOKEN "\n",
                             "s"),
                   0);
  cred_profile_free(&profile);
  ck_assert_ptr_null(profile.cred.access_key_id);
  ck_assert_ptr_null(profile.cred.access_key_secret);
  ck_assert_ptr_null(profile.cred.security_token);
  cred_profile_free(&profile);
}
END_TEST

/* ---- cred_wipe_free, cred_wipe_move, cred_wipe_grow ---- */

START_TEST(a_move_leaves_zeros_behind) {
  char src[] = SECRET, dst[sizeof(src)] = "";
  cred_wipe_move(dst, src, sizeof(src));
  ck_assert_str_eq(dst, SECRET);
  for (size_t i = 0; i < sizeof(src); i++)
    ck_assert_int_eq(src[i], 0);
}
END_TEST

START_TEST(a_grown_buffer_keeps_what_it_held) {
  char *buf = cred_wipe_grow(NULL, 0, 4);
  ck_assert_ptr_nonnull(buf);
  strcpy(buf, "abc");
  buf = cred_wipe_grow(buf, 4, sizeof(SECRET) + 3);
  ck_assert_ptr_nonnull(buf);
  strcat(buf, SECRET);
  ck_assert_str_eq(buf, "abc" SECRET);
  cred_wipe_free(buf);
  cred_wipe_free(NULL);
}
END_TEST

static void add_loop_tests(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc, an_sts_profile_carries_its_security_token, 0,
                      N_OF(token_keys));
  tcase_add_loop_test(tc, a_missing_key_is_refused_naming_it_and_no_secret, 0,
                      N_OF(missing_keys));
  tcase_add_loop_test(tc, each_missing_field_is_refused_naming_it, 0,
                      N_OF(metadata_fields));
  tcase_add_loop_test(tc, the_first_role_of_a_listing_is_taken, 0,
                      N_OF(listings));
  tcase_add_loop_test(tc, a_secret_file_loses_only_its_trailing_newlines, 0,
                      N_OF(secret_files));
}

static const unit_case_t test_case = {.teardown = teardown,
                                      .extend = add_loop_tests};

int main(void) {
  const TTest *const tests[] = {
      the_default_section_gives_an_access_key,
      a_named_profile_is_read_from_among_several,
      keys_of_another_profile_do_not_complete_this_one,
      without_a_type_a_profile_is_an_access_key,
      an_access_key_profile_leaves_a_security_token_out,
      an_ecs_ram_role_profile_names_its_role,
      an_ecs_ram_role_profile_without_a_role_name_discovers_it,
      a_ram_role_arn_profile_gives_its_key_and_its_role,
      a_ram_role_arn_profile_may_leave_session_and_policy_out,
      another_type_is_refused_naming_profile_and_type,
      comments_blank_lines_and_spaces_are_skipped,
      crlf_line_endings_are_read,
      a_file_without_a_final_newline_is_read,
      a_missing_profile_is_refused_naming_it,
      the_documented_answer_gives_credentials_that_expire,
      a_code_other_than_success_is_refused,
      a_field_of_another_json_type_is_refused_naming_it,
      an_expiration_not_in_the_api_format_is_refused,
      a_body_that_is_not_a_json_object_is_refused,
      of_duplicate_keys_the_first_counts,
      escapes_comments_and_other_members_are_read,
      a_field_only_inside_a_nested_value_is_missing,
      anything_after_the_object_is_refused,
      without_credentials_a_refresh_is_needed,
      credentials_without_an_expiration_never_need_a_refresh,
      six_hour_credentials_refresh_fifteen_minutes_before_expiry,
      four_second_credentials_refresh_half_way,
      credentials_are_judged_on_the_apis_clock,
      expired_credentials_need_a_refresh,
      a_copy_is_deep,
      a_copy_without_a_token_has_none,
      freeing_leaves_every_field_cleared_and_may_be_repeated,
      freeing_a_profile_clears_it,
      a_move_leaves_zeros_behind,
      a_grown_buffer_keeps_what_it_held,
  };
  return unit_main("cred", tests, N_OF(tests), &test_case);
}
