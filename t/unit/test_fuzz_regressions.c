/* Inputs that the libFuzzer targets (t/fuzz) found to break the core, kept
 * as they were found, so that each bug stays fixed. */
#include "core/cred.h"
#include "core/resp.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static resp_page_t page;
static resp_quota_t quota;
static resp_error_t err;
static cred_t cred;
static char why[256];

static void teardown(void) {
  resp_page_free(&page);
  resp_error_free(&err);
  cred_free(&cred);
}

/* prefix, then depth '[' and depth ']', then suffix; the caller frees. */
static char *nested(const char *prefix, size_t depth, const char *suffix) {
  size_t plen = strlen(prefix), slen = strlen(suffix);
  char *s = malloc(plen + 2 * depth + slen + 1);
  ck_assert_ptr_nonnull(s);
  memcpy(s, prefix, plen);
  memset(s + plen, '[', depth);
  memset(s + plen + depth, ']', depth);
  memcpy(s + plen + 2 * depth, suffix, slen + 1);
  return s;
}

static void assert_refused_as_too_deep(const char *body) {
  resp_page_free(&page);
  resp_error_free(&err);
  strcpy(why, "");
  ck_assert_int_eq(resp_parse_tasks(&products[PRODUCT_DCDN], body, &page, &err, why, sizeof(why)),
                   RESP_MALFORMED);
  ck_assert_msg(strstr(why, "nested") != NULL, "tasks: \"%s\"", why);
  resp_error_free(&err);
  strcpy(why, "");
  ck_assert_int_eq(resp_parse_quota(&products[PRODUCT_DCDN], body, &quota, &err, why, sizeof(why)),
                   RESP_MALFORMED);
  ck_assert_msg(strstr(why, "nested") != NULL, "quota: \"%s\"", why);
}

/* fuzz_resp: yajl_tree_parse reads comments, but the depth check took the
 * quote in a comment for the start of a string, and so counted none of the
 * brackets after it: yajl then built the tree the check exists to refuse. */
START_TEST(resp_a_quote_in_a_block_comment_hides_no_nesting) {
  char *body = nested("/*\"*/", RESP_MAX_DEPTH + 8, "");
  assert_refused_as_too_deep(body);
  free(body);
}
END_TEST

START_TEST(resp_a_quote_in_a_line_comment_hides_no_nesting) {
  char *body = nested("//\"\n", RESP_MAX_DEPTH + 8, "");
  assert_refused_as_too_deep(body);
  free(body);
}
END_TEST

/* The same body, deep enough (1 MB, under the 4 MB answers may have) for
 * yajl_tree_free's recursion to overflow the stack: it crashed collectd. */
START_TEST(resp_a_comment_before_a_million_brackets_crashes_nothing) {
  char *body = nested("/*\"*/", 500000, "");
  assert_refused_as_too_deep(body);
  free(body);
}
END_TEST

/* What the fix must not refuse: brackets inside a comment are no nesting,
 * and a body whose comment closes goes on being checked. */
START_TEST(resp_brackets_in_comments_are_not_nesting) {
  char *comment = nested("/* ", 100, " */ // [[[[\n");
  char body[1024];
  snprintf(body, sizeof(body),
           "%s{\"RequestId\":\"r\",\"TotalCount\":0,\"Tasks\":{\"Task\":[]}}",
           comment);
  free(comment);
  strcpy(why, "");
  ck_assert_msg(resp_parse_tasks(&products[PRODUCT_DCDN], body, &page, &err, why, sizeof(why)) ==
                    RESP_OK,
                "%s", why);
  ck_assert_int_eq(page.total_count, 0);
}
END_TEST

static int parse_metadata(const char *body) {
  cred_free(&cred);
  strcpy(why, "");
  return cred_parse_metadata(body, &cred, why, sizeof(why));
}

/* fuzz_cred: the metadata answer had no depth check at all. The input
 * found (crash-79b2e32a2cc49437aca545d4f406977510fcca9c): 34 levels. */
START_TEST(cred_metadata_nested_too_deeply_is_refused) {
  ck_assert_int_eq(parse_metadata("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[9]]]]]]]"
                                  "]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
                   -1);
  ck_assert_msg(strstr(why, "nested") != NULL, "\"%s\"", why);
}
END_TEST

/* Deep enough to overflow the stack in yajl_tree_free before the fix. */
START_TEST(cred_metadata_of_a_million_brackets_crashes_nothing) {
  char *body = nested("", 500000, "");
  ck_assert_int_eq(parse_metadata(body), -1);
  ck_assert_msg(strstr(why, "nested") != NULL, "\"%s\"", why);
  free(body);
}
END_TEST

START_TEST(cred_metadata_nested_as_deep_as_allowed_is_read) {
  /* Depth RESP_MAX_DEPTH: refused for what it holds, not for its depth. */
  char *inner = nested("", RESP_MAX_DEPTH - 1, "");
  char body[256];
  snprintf(body, sizeof(body), "{\"Code\":\"Success\",\"X\":%s}", inner);
  free(inner);
  ck_assert_int_eq(parse_metadata(body), -1);
  ck_assert_msg(strstr(why, "AccessKeyId") != NULL, "\"%s\"", why);
}
END_TEST

static const unit_case_t test_case = {.teardown = teardown};

int main(void) {
  const TTest *const tests[] = {
      resp_a_quote_in_a_block_comment_hides_no_nesting,
      resp_a_quote_in_a_line_comment_hides_no_nesting,
      resp_a_comment_before_a_million_brackets_crashes_nothing,
      resp_brackets_in_comments_are_not_nesting,
      cred_metadata_nested_too_deeply_is_refused,
      cred_metadata_of_a_million_brackets_crashes_nothing,
      cred_metadata_nested_as_deep_as_allowed_is_read,
  };
  return unit_main("fuzz_regressions", tests, N_OF(tests), &test_case);
}
