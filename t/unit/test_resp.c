/* Response bodies of DescribeDcdnRefreshTasks and DescribeDcdnRefreshTaskById
 * -> tasks, API errors, or a refusal that names the offending field. */
#include "core/resp.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One success page around the given Tasks.Task array items. */
#define PAGE(tasks)                                                            \
  "{\"RequestId\":\"ABC-123\",\"PageNumber\":1,\"PageSize\":50,"               \
  "\"TotalCount\":1,\"Tasks\":{\"Task\":[" tasks "]}}"

/* A complete task with the given Process, ObjectType and Status members. */
#define TASK(process, type, status)                                            \
  "{\"TaskId\":\"704225667\",\"ObjectPath\":\"http://example.com/a.txt\","     \
  "\"ObjectType\":" type ",\"Status\":" status ",\"Process\":" process ","     \
  "\"CreationTime\":\"2014-11-27T08:23:22Z\","                                 \
  "\"Description\":\"InternalError\"}"

static resp_page_t page;
static resp_error_t err;
static char why[256];

static void setup(void) {
  memset(&page, 0xAB, sizeof(page)); /* resp_parse_tasks must zero both */
  memset(&err, 0xAB, sizeof(err));
  why[0] = '\0';
}

static void teardown(void) {
  resp_page_free(&page);
  resp_error_free(&err);
}

static resp_status_t parse(const char *body) {
  return resp_parse_tasks(body, &page, &err, why, sizeof(why));
}

/* A single-task body must parse and yield exactly one task. */
static const task_t *parse_one(const char *body) {
  ck_assert_msg(parse(body) == RESP_OK, "refused: %s", why);
  ck_assert_uint_eq(page.count, 1);
  return &page.tasks[0];
}

static void assert_malformed(const char *body, const char *field) {
  ck_assert_int_eq(parse(body), RESP_MALFORMED);
  ck_assert_msg(strstr(why, field) != NULL, "why \"%s\" does not name %s", why,
                field);
  ck_assert_ptr_null(err.code);
}

START_TEST(a_full_success_page_yields_every_field) {
  const char *body =
      "{\"RequestId\":\"174F6032-AA26-470D-B90E-36F0EB205BEE\","
      "\"PageNumber\":2,\"PageSize\":50,\"TotalCount\":62,"
      "\"Tasks\":{\"Task\":["
      "{\"Status\":\"Complete\",\"CreationTime\":\"2014-11-27T08:23:22Z\","
      "\"ObjectType\":\"file\",\"Process\":\"10\","
      "\"Description\":\"InternalError\","
      "\"ObjectPath\":\"http://example.com/examplefile.txt\","
      "\"TaskId\":\"123\"},"
      "{\"Status\":\"Refreshing\",\"CreationTime\":\"2024-02-29T23:59:59Z\","
      "\"ObjectType\":\"path\",\"Process\":\"100%\",\"Description\":\"\","
      "\"ObjectPath\":\"https://example.org/dir/\",\"TaskId\":\"456\"}]}}";
  ck_assert_int_eq(parse(body), RESP_OK);
  ck_assert_int_eq(page.total_count, 62);
  ck_assert_int_eq(page.page_number, 2);
  ck_assert_int_eq(page.page_size, 50);
  ck_assert_str_eq(page.request_id, "174F6032-AA26-470D-B90E-36F0EB205BEE");
  ck_assert_uint_eq(page.count, 2);

  const task_t *t = &page.tasks[0];
  ck_assert_str_eq(t->task_id, "123");
  ck_assert_str_eq(t->object_path, "http://example.com/examplefile.txt");
  ck_assert_str_eq(t->description, "InternalError");
  ck_assert_int_eq(t->type, TASK_TYPE_FILE);
  ck_assert_int_eq(t->status, TASK_STATUS_COMPLETE);
  ck_assert_double_eq(t->progress, 10.0);
  ck_assert_int_eq(t->created, 1417076602); /* 2014-11-27T08:23:22Z */
  ck_assert_ptr_null(t->unknown_type);
  ck_assert_ptr_null(t->unknown_status);

  t = &page.tasks[1];
  ck_assert_str_eq(t->task_id, "456");
  ck_assert_str_eq(t->object_path, "https://example.org/dir/");
  ck_assert_str_eq(t->description, "");
  ck_assert_int_eq(t->type, TASK_TYPE_DIRECTORY);
  ck_assert_int_eq(t->status, TASK_STATUS_REFRESHING);
  ck_assert_double_eq(t->progress, 100.0);
  ck_assert_int_eq(t->created, 1709251199); /* leap day, last second */
  ck_assert_ptr_null(err.code);
}
END_TEST

START_TEST(process_accepts_a_plain_number) {
  const task_t *t = parse_one(PAGE(TASK("\"10\"", "\"file\"", "\"Complete\"")));
  ck_assert_double_eq(t->progress, 10.0);
}
END_TEST

START_TEST(process_accepts_a_percent_sign) {
  const task_t *t =
      parse_one(PAGE(TASK("\"100%\"", "\"file\"", "\"Complete\"")));
  ck_assert_double_eq(t->progress, 100.0);
}
END_TEST

START_TEST(process_accepts_spaces_and_a_fraction) {
  const task_t *t =
      parse_one(PAGE(TASK("\" 55.5 % \"", "\"file\"", "\"Refreshing\"")));
  ck_assert_double_eq_tol(t->progress, 55.5, 1e-9);
}
END_TEST

START_TEST(an_empty_process_means_zero) {
  const task_t *t = parse_one(PAGE(TASK("\"\"", "\"file\"", "\"Pending\"")));
  ck_assert_double_eq(t->progress, 0.0);
}
END_TEST

START_TEST(an_absent_process_means_zero) {
  const task_t *t =
      parse_one(PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
                     "\"ObjectType\":\"file\",\"Status\":\"Pending\","
                     "\"CreationTime\":\"2014-11-27T08:23:22Z\"}"));
  ck_assert_double_eq(t->progress, 0.0);
}
END_TEST

START_TEST(process_that_is_not_a_number_is_malformed) {
  assert_malformed(PAGE(TASK("\"abc\"", "\"file\"", "\"Complete\"")),
                   "Process");
}
END_TEST

START_TEST(process_above_a_hundred_is_malformed) {
  assert_malformed(PAGE(TASK("\"150\"", "\"file\"", "\"Complete\"")),
                   "Process");
}
END_TEST

START_TEST(process_in_hex_or_exponent_form_is_malformed) {
  assert_malformed(PAGE(TASK("\"0x10\"", "\"file\"", "\"Complete\"")),
                   "Process");
  teardown(); /* the fixture frees only the last parse */
  assert_malformed(PAGE(TASK("\"1e1\"", "\"file\"", "\"Complete\"")),
                   "Process");
}
END_TEST

START_TEST(process_below_zero_is_malformed) {
  assert_malformed(PAGE(TASK("\"-1%\"", "\"file\"", "\"Complete\"")),
                   "Process");
}
END_TEST

START_TEST(process_as_a_json_number_is_malformed) {
  assert_malformed(PAGE(TASK("10", "\"file\"", "\"Complete\"")), "Process");
}
END_TEST

START_TEST(object_type_path_means_directory) {
  const task_t *t = parse_one(PAGE(TASK("\"0\"", "\"path\"", "\"Pending\"")));
  ck_assert_int_eq(t->type, TASK_TYPE_DIRECTORY);
  ck_assert_ptr_null(t->unknown_type);
}
END_TEST

START_TEST(object_type_directory_means_directory) {
  const task_t *t =
      parse_one(PAGE(TASK("\"0\"", "\"directory\"", "\"Pending\"")));
  ck_assert_int_eq(t->type, TASK_TYPE_DIRECTORY);
}
END_TEST

START_TEST(object_type_is_case_insensitive) {
  const task_t *t = parse_one(PAGE(TASK("\"0\"", "\"FILE\"", "\"Pending\"")));
  ck_assert_int_eq(t->type, TASK_TYPE_FILE);
  ck_assert_ptr_null(t->unknown_type);
}
END_TEST

START_TEST(object_types_regex_and_preload_are_known) {
  const task_t *t = parse_one(PAGE(TASK("\"0\"", "\"Regex\"", "\"Pending\"")));
  ck_assert_int_eq(t->type, TASK_TYPE_REGEX);
  resp_page_free(&page);
  t = parse_one(PAGE(TASK("\"0\"", "\"preload\"", "\"Pending\"")));
  ck_assert_int_eq(t->type, TASK_TYPE_PRELOAD);
}
END_TEST

START_TEST(statuses_are_recognised_in_any_case) {
  static const struct {
    const char *body;
    task_status_t want;
  } cases[] = {
      {PAGE(TASK("\"0\"", "\"file\"", "\"complete\"")), TASK_STATUS_COMPLETE},
      {PAGE(TASK("\"0\"", "\"file\"", "\"REFRESHING\"")),
       TASK_STATUS_REFRESHING},
      {PAGE(TASK("\"0\"", "\"file\"", "\"Pending\"")), TASK_STATUS_PENDING},
      {PAGE(TASK("\"0\"", "\"file\"", "\"Failed\"")), TASK_STATUS_FAILED},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const task_t *t = parse_one(cases[i].body);
    ck_assert_int_eq(t->status, cases[i].want);
    ck_assert_ptr_null(t->unknown_status);
    resp_page_free(&page);
  }
}
END_TEST

START_TEST(an_unknown_status_keeps_the_task_and_the_raw_string) {
  const task_t *t = parse_one(PAGE(TASK("\"0\"", "\"file\"", "\"Cancelled\"")));
  ck_assert_int_eq(t->status, TASK_STATUS_UNKNOWN);
  ck_assert_str_eq(t->unknown_status, "Cancelled");
  ck_assert_int_eq(t->type, TASK_TYPE_FILE);
  ck_assert_str_eq(t->task_id, "704225667");
}
END_TEST

START_TEST(an_unknown_type_keeps_the_task_and_the_raw_string) {
  const task_t *t = parse_one(PAGE(TASK("\"0\"", "\"Block\"", "\"Complete\"")));
  ck_assert_int_eq(t->type, TASK_TYPE_UNKNOWN);
  ck_assert_str_eq(t->unknown_type, "Block");
  ck_assert_int_eq(t->status, TASK_STATUS_COMPLETE);
  ck_assert_ptr_null(t->unknown_status);
}
END_TEST

START_TEST(an_absent_description_is_empty) {
  const task_t *t = parse_one(
      PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
           "\"ObjectType\":\"file\",\"Status\":\"Complete\",\"Process\":"
           "\"100%\",\"CreationTime\":\"2014-11-27T08:23:22Z\"}"));
  ck_assert_ptr_nonnull(t->description);
  ck_assert_str_eq(t->description, "");
}
END_TEST

START_TEST(an_error_body_is_an_api_error) {
  ck_assert_int_eq(
      parse("{\"RequestId\":\"R-1\",\"HostId\":\"dcdn.aliyuncs.com\","
            "\"Code\":\"Throttling.User\",\"Message\":\"Request was denied "
            "due to user flow control.\",\"Recommend\":\"https://x/\"}"),
      RESP_API_ERROR);
  ck_assert_str_eq(err.code, "Throttling.User");
  ck_assert_str_eq(err.message, "Request was denied due to user flow control.");
  ck_assert_str_eq(err.request_id, "R-1");
  ck_assert_uint_eq(page.count, 0);
}
END_TEST

START_TEST(a_code_member_wins_over_page_fields) {
  ck_assert_int_eq(parse("{\"Code\":\"InvalidTime\",\"TotalCount\":3,"
                         "\"Tasks\":{\"Task\":[]}}"),
                   RESP_API_ERROR);
  ck_assert_str_eq(err.code, "InvalidTime");
  ck_assert_ptr_null(err.message);
  ck_assert_uint_eq(page.count, 0);
}
END_TEST

START_TEST(an_empty_task_list_is_an_empty_page) {
  ck_assert_int_eq(parse("{\"RequestId\":\"R\",\"PageNumber\":1,"
                         "\"PageSize\":50,\"TotalCount\":0,"
                         "\"Tasks\":{\"Task\":[]}}"),
                   RESP_OK);
  ck_assert_uint_eq(page.count, 0);
  ck_assert_int_eq(page.total_count, 0);
}
END_TEST

START_TEST(absent_tasks_is_an_empty_page) {
  ck_assert_int_eq(parse("{\"RequestId\":\"R\",\"PageNumber\":1,"
                         "\"PageSize\":50,\"TotalCount\":0}"),
                   RESP_OK);
  ck_assert_uint_eq(page.count, 0);
  ck_assert_str_eq(page.request_id, "R");
}
END_TEST

START_TEST(the_by_id_shape_has_tasks_as_a_flat_array) {
  ck_assert_int_eq(
      parse("{\"RequestId\":\"R\",\"TotalCount\":2,\"Tasks\":["
            "{\"TaskId\":\"7\",\"ObjectPath\":\"http://a.com/x\","
            "\"ObjectType\":\"file\",\"Status\":\"Complete\","
            "\"Process\":\"100%\",\"CreationTime\":\"2020-01-01T00:00:00Z\","
            "\"Description\":\"\"},"
            "{\"TaskId\":\"8\",\"ObjectPath\":\"http://b.com/\","
            "\"ObjectType\":\"directory\",\"Status\":\"Failed\","
            "\"Process\":\"0%\",\"CreationTime\":\"2020-01-01T00:00:01Z\","
            "\"Description\":\"OriginTimeout\"}]}"),
      RESP_OK);
  ck_assert_int_eq(page.total_count, 2);
  ck_assert_uint_eq(page.count, 2);
  ck_assert_str_eq(page.tasks[0].task_id, "7");
  ck_assert_int_eq(page.tasks[0].created, 1577836800);
  ck_assert_str_eq(page.tasks[1].task_id, "8");
  ck_assert_int_eq(page.tasks[1].type, TASK_TYPE_DIRECTORY);
  ck_assert_int_eq(page.tasks[1].status, TASK_STATUS_FAILED);
  ck_assert_str_eq(page.tasks[1].description, "OriginTimeout");
}
END_TEST

START_TEST(not_json_is_malformed) {
  ck_assert_int_eq(parse("<html>502 Bad Gateway</html>"), RESP_MALFORMED);
  ck_assert_msg(strstr(why, "JSON") != NULL, "why: %s", why);
}
END_TEST

START_TEST(an_empty_body_is_malformed) {
  ck_assert_int_eq(parse(""), RESP_MALFORMED);
  ck_assert_str_ne(why, "");
}
END_TEST

START_TEST(truncated_json_is_malformed) {
  ck_assert_int_eq(parse("{\"RequestId\":\"R\",\"TotalCount\":1,\"Tasks\":{"
                         "\"Task\":[{\"TaskId\":\"1\""),
                   RESP_MALFORMED);
  ck_assert_msg(strstr(why, "JSON") != NULL, "why: %s", why);
  ck_assert_uint_eq(page.count, 0);
}
END_TEST

START_TEST(invalid_utf8_in_a_string_is_malformed) {
  ck_assert_int_eq(parse("{\"RequestId\":\"\xff\xfe\",\"TotalCount\":0}"),
                   RESP_MALFORMED);
  ck_assert_msg(strstr(why, "JSON") != NULL, "why: %s", why);
  ck_assert_ptr_null(page.request_id);
}
END_TEST

START_TEST(a_top_level_array_is_malformed) {
  ck_assert_int_eq(parse("[{\"TotalCount\":0}]"), RESP_MALFORMED);
  ck_assert_msg(strstr(why, "object") != NULL, "why: %s", why);
}
END_TEST

START_TEST(total_count_as_a_string_is_malformed) {
  assert_malformed("{\"TotalCount\":\"5\",\"Tasks\":{\"Task\":[]}}",
                   "TotalCount");
}
END_TEST

START_TEST(a_missing_total_count_is_malformed) {
  assert_malformed("{\"PageNumber\":1,\"Tasks\":{\"Task\":[]}}", "TotalCount");
}
END_TEST

START_TEST(a_negative_total_count_is_malformed) {
  assert_malformed("{\"TotalCount\":-1}", "TotalCount");
}
END_TEST

START_TEST(a_fractional_total_count_is_malformed) {
  assert_malformed("{\"TotalCount\":1.5}", "TotalCount");
}
END_TEST

START_TEST(page_number_as_a_string_is_malformed) {
  assert_malformed("{\"TotalCount\":1,\"PageNumber\":\"1\"}", "PageNumber");
}
END_TEST

START_TEST(tasks_as_a_string_is_malformed) {
  assert_malformed("{\"TotalCount\":1,\"Tasks\":\"none\"}", "Tasks");
}
END_TEST

START_TEST(task_as_an_object_is_malformed) {
  assert_malformed("{\"TotalCount\":1,\"Tasks\":{\"Task\":{\"TaskId\":\"1\"}}}",
                   "Tasks.Task");
}
END_TEST

START_TEST(a_task_that_is_not_an_object_is_malformed) {
  assert_malformed("{\"TotalCount\":1,\"Tasks\":{\"Task\":[\"1\"]}}", "task");
}
END_TEST

START_TEST(task_id_as_a_number_is_malformed) {
  assert_malformed(
      PAGE("{\"TaskId\":704225667,\"ObjectPath\":\"http://e.com/\","
           "\"ObjectType\":\"file\",\"Status\":\"Complete\","
           "\"CreationTime\":\"2014-11-27T08:23:22Z\"}"),
      "TaskId");
}
END_TEST

START_TEST(a_missing_object_path_is_malformed) {
  assert_malformed(PAGE("{\"TaskId\":\"1\",\"ObjectType\":\"file\","
                        "\"Status\":\"Complete\","
                        "\"CreationTime\":\"2014-11-27T08:23:22Z\"}"),
                   "ObjectPath");
}
END_TEST

START_TEST(a_missing_creation_time_is_malformed) {
  assert_malformed(PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
                        "\"ObjectType\":\"file\",\"Status\":\"Complete\"}"),
                   "CreationTime");
}
END_TEST

START_TEST(a_bad_creation_time_format_is_malformed) {
  assert_malformed(PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
                        "\"ObjectType\":\"file\",\"Status\":\"Complete\","
                        "\"CreationTime\":\"2014-11-27 08:23:22\"}"),
                   "CreationTime");
}
END_TEST

START_TEST(description_as_a_number_is_malformed) {
  assert_malformed(PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
                        "\"ObjectType\":\"file\",\"Status\":\"Complete\","
                        "\"CreationTime\":\"2014-11-27T08:23:22Z\","
                        "\"Description\":5}"),
                   "Description");
}
END_TEST

START_TEST(a_bad_second_task_fails_the_page_without_leaking_the_first) {
  assert_malformed(PAGE(TASK("\"1\"", "\"file\"", "\"Complete\"") "," TASK(
                       "\"x\"", "\"file\"", "\"Complete\"")),
                   "Process");
  /* teardown frees what was parsed; valgrind checks nothing leaked. */
}
END_TEST

static char *repeat(char c, size_t n, const char *tail) {
  size_t tail_len = strlen(tail);
  char *s = malloc(n + tail_len + 1);
  ck_assert_ptr_nonnull(s);
  memset(s, c, n);
  memcpy(s + n, tail, tail_len + 1);
  return s;
}

START_TEST(deeply_nested_json_is_refused) {
  char *body = repeat('[', 10000, "");
  ck_assert_int_eq(parse(body), RESP_MALFORMED);
  ck_assert_msg(strstr(why, "nested") != NULL, "why: %s", why);
  free(body);
}
END_TEST

START_TEST(deeply_nested_objects_inside_a_member_are_refused) {
  /* {"TotalCount":0,"X":{"a":{"a":...}}} */
  size_t depth = 5000;
  char *body = malloc(depth * 6 + 64);
  ck_assert_ptr_nonnull(body);
  char *p = body + sprintf(body, "{\"TotalCount\":0,\"X\":");
  for (size_t i = 0; i < depth; i++)
    p += sprintf(p, "{\"a\":");
  p += sprintf(p, "1");
  for (size_t i = 0; i < depth + 1; i++)
    *p++ = '}';
  *p = '\0';
  ck_assert_int_eq(parse(body), RESP_MALFORMED);
  free(body);
}
END_TEST

START_TEST(brackets_inside_strings_do_not_count_as_nesting) {
  char *path = repeat('[', 100, "");
  char body[512];
  snprintf(body, sizeof(body),
           PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/%s\\\"\","
                "\"ObjectType\":\"file\",\"Status\":\"Complete\","
                "\"CreationTime\":\"2014-11-27T08:23:22Z\"}"),
           path);
  free(path);
  const task_t *t = parse_one(body);
  ck_assert_uint_eq(strlen(t->object_path), strlen("http://e.com/") + 101);
}
END_TEST

static void assert_domain(const char *path, const char *want) {
  char out[64];
  memset(out, 'x', sizeof(out));
  ck_assert_msg(task_domain_of_path(path, out, sizeof(out)) == 0,
                "no domain in %s", path);
  ck_assert_str_eq(out, want);
}

START_TEST(domain_of_path_is_the_lowercased_host) {
  assert_domain("http://Ex.COM:8080/a?b", "ex.com");
  assert_domain("https://a.b/c", "a.b");
  assert_domain("http://example.com/examplefile.txt", "example.com");
  assert_domain("HTTPS://WWW.Example.ORG", "www.example.org");
  assert_domain("http://example.com?x=1", "example.com");
  assert_domain("http://example.com#top", "example.com");
}
END_TEST

START_TEST(domain_of_path_without_a_scheme) {
  assert_domain("a.b/c", "a.b");
  assert_domain("Example.com:443/dir/", "example.com");
  assert_domain("example.com", "example.com");
}
END_TEST

START_TEST(domain_of_path_ignores_a_url_inside_the_path) {
  assert_domain("example.com/go?to=http://other.com/", "example.com");
  assert_domain("http://example.com/go?to=http://other.com/", "example.com");
}
END_TEST

START_TEST(domain_of_path_refuses_no_host_or_a_small_buffer) {
  char out[8];
  ck_assert_int_eq(task_domain_of_path("", out, sizeof(out)), -1);
  ck_assert_int_eq(task_domain_of_path("http://", out, sizeof(out)), -1);
  ck_assert_int_eq(task_domain_of_path("http:///x", out, sizeof(out)), -1);
  ck_assert_int_eq(task_domain_of_path("/only/a/path", out, sizeof(out)), -1);
  /* "abcdefgh" needs 9 bytes with its NUL. */
  ck_assert_int_eq(task_domain_of_path("http://abcdefgh/", out, sizeof(out)),
                   -1);
  ck_assert_int_eq(task_domain_of_path("http://abcdefg/", out, sizeof(out)), 0);
  ck_assert_str_eq(out, "abcdefg");
}
END_TEST

int main(void) {
  Suite *s = suite_create("resp");
  TCase *tc = tcase_create("resp");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, a_full_success_page_yields_every_field);
  tcase_add_test(tc, process_accepts_a_plain_number);
  tcase_add_test(tc, process_accepts_a_percent_sign);
  tcase_add_test(tc, process_accepts_spaces_and_a_fraction);
  tcase_add_test(tc, an_empty_process_means_zero);
  tcase_add_test(tc, an_absent_process_means_zero);
  tcase_add_test(tc, process_that_is_not_a_number_is_malformed);
  tcase_add_test(tc, process_above_a_hundred_is_malformed);
  tcase_add_test(tc, process_below_zero_is_malformed);
  tcase_add_test(tc, process_in_hex_or_exponent_form_is_malformed);
  tcase_add_test(tc, process_as_a_json_number_is_malformed);
  tcase_add_test(tc, object_type_path_means_directory);
  tcase_add_test(tc, object_type_directory_means_directory);
  tcase_add_test(tc, object_type_is_case_insensitive);
  tcase_add_test(tc, object_types_regex_and_preload_are_known);
  tcase_add_test(tc, statuses_are_recognised_in_any_case);
  tcase_add_test(tc, an_unknown_status_keeps_the_task_and_the_raw_string);
  tcase_add_test(tc, an_unknown_type_keeps_the_task_and_the_raw_string);
  tcase_add_test(tc, an_absent_description_is_empty);
  tcase_add_test(tc, an_error_body_is_an_api_error);
  tcase_add_test(tc, a_code_member_wins_over_page_fields);
  tcase_add_test(tc, an_empty_task_list_is_an_empty_page);
  tcase_add_test(tc, absent_tasks_is_an_empty_page);
  tcase_add_test(tc, the_by_id_shape_has_tasks_as_a_flat_array);
  tcase_add_test(tc, not_json_is_malformed);
  tcase_add_test(tc, an_empty_body_is_malformed);
  tcase_add_test(tc, truncated_json_is_malformed);
  tcase_add_test(tc, invalid_utf8_in_a_string_is_malformed);
  tcase_add_test(tc, a_top_level_array_is_malformed);
  tcase_add_test(tc, total_count_as_a_string_is_malformed);
  tcase_add_test(tc, a_missing_total_count_is_malformed);
  tcase_add_test(tc, a_negative_total_count_is_malformed);
  tcase_add_test(tc, a_fractional_total_count_is_malformed);
  tcase_add_test(tc, page_number_as_a_string_is_malformed);
  tcase_add_test(tc, tasks_as_a_string_is_malformed);
  tcase_add_test(tc, task_as_an_object_is_malformed);
  tcase_add_test(tc, a_task_that_is_not_an_object_is_malformed);
  tcase_add_test(tc, task_id_as_a_number_is_malformed);
  tcase_add_test(tc, a_missing_object_path_is_malformed);
  tcase_add_test(tc, a_missing_creation_time_is_malformed);
  tcase_add_test(tc, a_bad_creation_time_format_is_malformed);
  tcase_add_test(tc, description_as_a_number_is_malformed);
  tcase_add_test(tc,
                 a_bad_second_task_fails_the_page_without_leaking_the_first);
  tcase_add_test(tc, deeply_nested_json_is_refused);
  tcase_add_test(tc, deeply_nested_objects_inside_a_member_are_refused);
  tcase_add_test(tc, brackets_inside_strings_do_not_count_as_nesting);
  suite_add_tcase(s, tc);
  /* Task helpers: no parse, so no fixture. */
  TCase *tc_task = tcase_create("task");
  tcase_add_test(tc_task, domain_of_path_is_the_lowercased_host);
  tcase_add_test(tc_task, domain_of_path_without_a_scheme);
  tcase_add_test(tc_task, domain_of_path_ignores_a_url_inside_the_path);
  tcase_add_test(tc_task, domain_of_path_refuses_no_host_or_a_small_buffer);
  suite_add_tcase(s, tc_task);
  return unit_run(s);
}
