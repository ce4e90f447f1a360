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
  return resp_parse_tasks(&products[PRODUCT_DCDN], body, &page, &err, why, sizeof(why));
}

/* A single-task body must parse and yield exactly one task. */
static const task_t *parse_one(const char *body) {
  ck_assert_msg(parse(body) == RESP_OK, "refused: %s", why);
  ck_assert_uint_eq(page.count, 1);
  return &page.tasks[0];
}

/* The body must be refused, for a reason that names what. */
static void assert_refused(const char *body, const char *what) {
  ck_assert_int_eq(parse(body), RESP_MALFORMED);
  ck_assert_msg(strstr(why, what) != NULL, "why \"%s\" does not name %s", why,
                what);
}

/* The body must be refused as malformed in the named field. */
static void assert_malformed(const char *body, const char *field) {
  assert_refused(body, field);
  ck_assert_ptr_null(err.code);
}

/* Every field of a parsed task. */
static void assert_task(const task_t *t, const task_t *want) {
  ck_assert_str_eq(t->task_id, want->task_id);
  ck_assert_str_eq(t->object_path, want->object_path);
  ck_assert_str_eq(t->description, want->description);
  ck_assert_int_eq(t->type, want->type);
  ck_assert_int_eq(t->status, want->status);
  ck_assert_double_eq(t->progress, want->progress);
  ck_assert_int_eq(t->created, want->created);
  ck_assert_pstr_eq(t->unknown_type, want->unknown_type);
  ck_assert_pstr_eq(t->unknown_status, want->unknown_status);
}

/* CDN's list answer wraps its tasks in Tasks.CDNTask and says directory:
 * the product's row, not a code path. DCDN's member is not CDN's. */
START_TEST(a_cdn_page_is_read_from_tasks_cdntask) {
  const char *body =
      "{\"RequestId\":\"r\",\"PageNumber\":1,\"PageSize\":100,"
      "\"TotalCount\":1,\"Tasks\":{\"CDNTask\":[{\"TaskId\":\"704225667\","
      "\"ObjectPath\":\"http://example.com/a/\",\"ObjectType\":\"directory\","
      "\"Status\":\"Refreshing\",\"Process\":\"40%\","
      "\"CreationTime\":\"2014-11-27T08:23:22Z\",\"Description\":\"\"}]}}";
  ck_assert_int_eq(resp_parse_tasks(&products[PRODUCT_CDN], body, &page, &err,
                                    why, sizeof(why)),
                   RESP_OK);
  ck_assert_uint_eq(page.count, 1);
  ck_assert_int_eq(page.tasks[0].type, TASK_TYPE_DIRECTORY);
  ck_assert_double_eq(page.tasks[0].progress, 40);
  resp_page_free(&page);
  /* Read as DCDN's (Tasks.Task), the page holds nothing. */
  ck_assert_int_eq(parse(body), RESP_OK);
  ck_assert_uint_eq(page.count, 0);
}
END_TEST

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

  static const task_t want[] = {
      /* task_id, object_path, description, unknown_type, unknown_status,
       * type, status, progress, created, owner_host, site_id */
      {"123", "http://example.com/examplefile.txt", "InternalError", NULL, NULL,
       TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 10.0,
       1417076602 /* 2014-11-27T08:23:22Z */, NULL, 0},
      {"456", "https://example.org/dir/", "", NULL, NULL, TASK_TYPE_DIRECTORY,
       TASK_STATUS_REFRESHING, 100.0, 1709251199 /* leap day, last second */,
       NULL, 0},
  };
  for (size_t i = 0; i < N_OF(want); i++)
    assert_task(&page.tasks[i], &want[i]);
  ck_assert_ptr_null(err.code);
}
END_TEST

/* Process values a task may have, and the progress each means. */
static const struct {
  const char *body;
  double progress;
} good_processes[] = {
    /* a plain number */
    {PAGE(TASK("\"10\"", "\"file\"", "\"Complete\"")), 10.0},
    /* a percent sign */
    {PAGE(TASK("\"100%\"", "\"file\"", "\"Complete\"")), 100.0},
    /* an empty process means zero */
    {PAGE(TASK("\"\"", "\"file\"", "\"Pending\"")), 0.0},
    /* an absent process means zero */
    {PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
          "\"ObjectType\":\"file\",\"Status\":\"Pending\","
          "\"CreationTime\":\"2014-11-27T08:23:22Z\"}"),
     0.0},
};

START_TEST(process_is_a_percentage_and_zero_when_empty_or_absent) {
  const task_t *t = parse_one(good_processes[_i].body);
  ck_assert_double_eq(t->progress, good_processes[_i].progress);
}
END_TEST

START_TEST(process_accepts_spaces_and_a_fraction) {
  const task_t *t =
      parse_one(PAGE(TASK("\" 55.5 % \"", "\"file\"", "\"Refreshing\"")));
  ck_assert_double_eq_tol(t->progress, 55.5, 1e-9);
}
END_TEST

/* The body must parse, its only task skipped for field: no task, one
 * skipped entry naming the field and the task (NULL: no readable id). */
static void assert_skipped(const char *body, const char *field,
                           const char *task_id) {
  ck_assert_msg(parse(body) == RESP_OK, "refused: %s", why);
  ck_assert_uint_eq(page.count, 0);
  ck_assert_uint_eq(page.skipped_count, 1);
  ck_assert_str_eq(page.skipped[0].field, field);
  ck_assert_pstr_eq(page.skipped[0].task_id, task_id);
  ck_assert_ptr_null(err.code);
}

/* Process values a task must not have: a percentage, as a string, from 0 to
 * 100, in plain decimal. */
static const char *const bad_processes[] = {
    "\"abc\"",  /* not a number */
    "\"N/A\"",  /* what some consoles show */
    "\"150\"",  /* above a hundred */
    "\"0x10\"", /* hex form */
    "\"1e1\"",  /* exponent form */
    "\"-1%\"",  /* below zero */
    "10",       /* a JSON number */
};

/* One unreadable task must not fail its page (it did, until the rule). */
START_TEST(process_that_is_not_a_percentage_string_skips_the_task) {
  char body[512];
  snprintf(body, sizeof(body), PAGE(TASK("%s", "\"file\"", "\"Complete\"")),
           bad_processes[_i]);
  assert_skipped(body, "Process", "704225667");
}
END_TEST

/* A task's ObjectType and Status members as sent, and what they mean. */
typedef struct {
  const char *object_type;
  const char *status;
  task_type_t type;
  task_status_t st;
  const char *unknown_type; /* the raw strings kept, NULL when known */
  const char *unknown_status;
} kind_t;

/* A single-task page whose task has this kind must parse as it says. */
static void assert_kind(const kind_t *k) {
  char body[512];
  snprintf(body, sizeof(body), PAGE(TASK("\"0\"", "%s", "%s")), k->object_type,
           k->status);
  const task_t *t = parse_one(body);
  ck_assert_int_eq(t->type, k->type);
  ck_assert_pstr_eq(t->unknown_type, k->unknown_type);
  ck_assert_int_eq(t->status, k->st);
  ck_assert_pstr_eq(t->unknown_status, k->unknown_status);
}

static const kind_t known_kinds[] = {
    {"\"file\"", "\"Pending\"", TASK_TYPE_FILE, TASK_STATUS_PENDING, NULL,
     NULL},
    {"\"FILE\"", "\"complete\"", TASK_TYPE_FILE, TASK_STATUS_COMPLETE, NULL,
     NULL},
    {"\"path\"", "\"REFRESHING\"", TASK_TYPE_DIRECTORY, TASK_STATUS_REFRESHING,
     NULL, NULL},
    {"\"directory\"", "\"Failed\"", TASK_TYPE_DIRECTORY, TASK_STATUS_FAILED,
     NULL, NULL},
    {"\"Regex\"", "\"Pending\"", TASK_TYPE_REGEX, TASK_STATUS_PENDING, NULL,
     NULL},
    {"\"preload\"", "\"Pending\"", TASK_TYPE_PRELOAD, TASK_STATUS_PENDING, NULL,
     NULL},
};

START_TEST(object_types_and_statuses_are_recognised_in_any_case) {
  assert_kind(&known_kinds[_i]);
}
END_TEST

START_TEST(an_unknown_status_keeps_the_task_and_the_raw_string) {
  assert_kind(&(kind_t){"\"file\"", "\"Cancelled\"", TASK_TYPE_FILE,
                        TASK_STATUS_UNKNOWN, NULL, "Cancelled"});
  ck_assert_str_eq(page.tasks[0].task_id, "704225667");
}
END_TEST

START_TEST(an_unknown_type_keeps_the_task_and_the_raw_string) {
  assert_kind(&(kind_t){"\"Block\"", "\"Complete\"", TASK_TYPE_UNKNOWN,
                        TASK_STATUS_COMPLETE, "Block", NULL});
}
END_TEST

START_TEST(a_null_description_or_process_is_absent) {
  const task_t *t = parse_one(
      PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
           "\"ObjectType\":\"file\",\"Status\":\"Pending\",\"Process\":null,"
           "\"Description\":null,\"CreationTime\":\"2014-11-27T08:23:22Z\"}"));
  ck_assert_str_eq(t->description, "");
  ck_assert_double_eq(t->progress, 0.0);
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
  assert_refused("<html>502 Bad Gateway</html>", "JSON");
}
END_TEST

START_TEST(an_empty_body_is_malformed) {
  ck_assert_int_eq(parse(""), RESP_MALFORMED);
  ck_assert_str_ne(why, "");
}
END_TEST

START_TEST(truncated_json_is_malformed) {
  assert_refused("{\"RequestId\":\"R\",\"TotalCount\":1,\"Tasks\":{"
                 "\"Task\":[{\"TaskId\":\"1\"",
                 "JSON");
  ck_assert_uint_eq(page.count, 0);
}
END_TEST

START_TEST(invalid_utf8_in_a_string_is_malformed) {
  assert_refused("{\"RequestId\":\"\xff\xfe\",\"TotalCount\":0}", "JSON");
  ck_assert_ptr_null(page.request_id);
}
END_TEST

START_TEST(a_top_level_array_is_malformed) {
  assert_refused("[{\"TotalCount\":0}]", "object");
}
END_TEST

/* Bodies with one member of the wrong type or form, and the member the
 * refusal must name. */
static const struct {
  const char *body;
  const char *names;
} bad_members[] = {
    /* TotalCount as a string */
    {"{\"TotalCount\":\"5\",\"Tasks\":{\"Task\":[]}}", "TotalCount"},
    /* a missing TotalCount */
    {"{\"PageNumber\":1,\"Tasks\":{\"Task\":[]}}", "TotalCount"},
    /* a negative TotalCount */
    {"{\"TotalCount\":-1}", "TotalCount"},
    /* a fractional TotalCount */
    {"{\"TotalCount\":1.5}", "TotalCount"},
    /* PageNumber as a string */
    {"{\"TotalCount\":1,\"PageNumber\":\"1\"}", "PageNumber"},
    /* Tasks as a string */
    {"{\"TotalCount\":1,\"Tasks\":\"none\"}", "Tasks"},
    /* Task as an object */
    {"{\"TotalCount\":1,\"Tasks\":{\"Task\":{\"TaskId\":\"1\"}}}",
     "Tasks.Task"},
    /* a task that is not an object */
    {"{\"TotalCount\":1,\"Tasks\":{\"Task\":[\"1\"]}}", "task"},
};

START_TEST(a_member_of_the_wrong_type_or_form_is_malformed_and_named) {
  assert_malformed(bad_members[_i].body, bad_members[_i].names);
}
END_TEST

/* Tasks with one member missing, of the wrong type or form: each is
 * skipped, naming the member, and the page parses. */
static const struct {
  const char *body;
  const char *field;
  const char *task_id; /* as skipped_t holds it */
} bad_tasks[] = {
    /* TaskId as a number */
    {PAGE("{\"TaskId\":704225667,\"ObjectPath\":\"http://e.com/\","
          "\"ObjectType\":\"file\",\"Status\":\"Complete\","
          "\"CreationTime\":\"2014-11-27T08:23:22Z\"}"),
     "TaskId", NULL},
    /* a missing TaskId */
    {PAGE("{\"ObjectPath\":\"http://e.com/\",\"ObjectType\":\"file\","
          "\"Status\":\"Complete\",\"CreationTime\":\"2014-11-27T08:23:22Z\"}"),
     "TaskId", NULL},
    /* a missing ObjectPath */
    {PAGE("{\"TaskId\":\"1\",\"ObjectType\":\"file\","
          "\"Status\":\"Complete\","
          "\"CreationTime\":\"2014-11-27T08:23:22Z\"}"),
     "ObjectPath", "1"},
    /* ObjectType as null (required: null is no value) */
    {PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
          "\"ObjectType\":null,\"Status\":\"Complete\","
          "\"CreationTime\":\"2014-11-27T08:23:22Z\"}"),
     "ObjectType", "1"},
    /* a missing Status */
    {PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
          "\"ObjectType\":\"file\","
          "\"CreationTime\":\"2014-11-27T08:23:22Z\"}"),
     "Status", "1"},
    /* a missing CreationTime */
    {PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
          "\"ObjectType\":\"file\",\"Status\":\"Complete\"}"),
     "CreationTime", "1"},
    /* a bad CreationTime format */
    {PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
          "\"ObjectType\":\"file\",\"Status\":\"Complete\","
          "\"CreationTime\":\"2014-11-27 08:23:22\"}"),
     "CreationTime", "1"},
    /* CreationTime as N/A */
    {PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
          "\"ObjectType\":\"file\",\"Status\":\"Complete\","
          "\"CreationTime\":\"N/A\"}"),
     "CreationTime", "1"},
    /* Description as a number */
    {PAGE("{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/\","
          "\"ObjectType\":\"file\",\"Status\":\"Complete\","
          "\"CreationTime\":\"2014-11-27T08:23:22Z\","
          "\"Description\":5}"),
     "Description", "1"},
};

/* These failed the whole page until one unreadable task no longer did. */
START_TEST(a_task_member_missing_or_of_the_wrong_type_skips_the_task) {
  assert_skipped(bad_tasks[_i].body, bad_tasks[_i].field,
                 bad_tasks[_i].task_id);
}
END_TEST

/* A full page with unreadable tasks among readable ones: the readable
 * ones are kept in order, and the page still tells how many it held. */
START_TEST(a_page_keeps_its_readable_tasks_around_skipped_ones) {
  ck_assert_msg(
      parse("{\"TotalCount\":4,\"PageSize\":4,\"Tasks\":{\"Task\":["
            "{\"TaskId\":\"1\",\"ObjectPath\":\"http://e.com/a\","
            "\"ObjectType\":\"file\",\"Status\":\"Complete\","
            "\"Process\":\"N/A\",\"CreationTime\":\"2026-01-01T10:00:00Z\"},"
            "{\"TaskId\":\"2\",\"ObjectPath\":\"http://e.com/b\","
            "\"ObjectType\":\"file\",\"Status\":\"Complete\","
            "\"Process\":\"100%\","
            "\"CreationTime\":\"2026-01-01T10:00:00.123Z\"},"
            "{\"TaskId\":3,\"ObjectPath\":\"http://e.com/c\"},"
            "{\"TaskId\":\"4\",\"ObjectPath\":\"http://e.com/d\","
            "\"ObjectType\":\"path\",\"Status\":\"Refreshing\","
            "\"CreationTime\":\"2026-01-01T10:00:01Z\"}]}}") == RESP_OK,
      "refused: %s", why);
  ck_assert_uint_eq(page.count, 2);
  ck_assert_str_eq(page.tasks[0].task_id, "2");
  /* fractional seconds are read and dropped */
  ck_assert_int_eq(page.tasks[0].created, 1767261600);
  ck_assert_str_eq(page.tasks[1].task_id, "4");
  ck_assert_int_eq(page.tasks[1].created, 1767261601);
  ck_assert_uint_eq(page.skipped_count, 2);
  ck_assert_str_eq(page.skipped[0].task_id, "1");
  ck_assert_str_eq(page.skipped[0].field, "Process");
  ck_assert_ptr_null(page.skipped[1].task_id);
  ck_assert_str_eq(page.skipped[1].field, "TaskId");
  ck_assert_uint_eq(page.count + page.skipped_count, (size_t)page.page_size);
  /* teardown frees what was parsed; valgrind checks nothing leaked. */
}
END_TEST

/* Every string a task holds is printable before anyone logs it: control
 * bytes become spaces; valid UTF-8 stays. */
START_TEST(every_task_string_is_made_printable) {
  const task_t *t = parse_one(
      "{\"RequestId\":\"R\\u001b[2J\",\"TotalCount\":1,\"Tasks\":{\"Task\":["
      "{\"TaskId\":\"12\\n34\",\"ObjectPath\":\"http://e.com/\\u001b]0;x\","
      "\"ObjectType\":\"Blo\\rck\",\"Status\":\"Can\\tcelled\","
      "\"CreationTime\":\"2026-01-01T10:00:00Z\","
      "\"Description\":\"Origin\\r\\nTimeout \\u00fc\\u0085\"}]}}");
  ck_assert_str_eq(t->task_id, "12 34");
  ck_assert_str_eq(t->object_path, "http://e.com/ ]0;x");
  ck_assert_str_eq(t->unknown_type, "Blo ck");
  ck_assert_str_eq(t->unknown_status, "Can celled");
  ck_assert_str_eq(t->description, "Origin  Timeout \xc3\xbc ");
  ck_assert_str_eq(page.request_id, "R [2J");
}
END_TEST

START_TEST(a_skipped_task_id_is_made_printable) {
  assert_skipped(
      PAGE("{\"TaskId\":\"7\\u0007\\u0008\",\"ObjectPath\":\"http://e.com/\","
           "\"ObjectType\":\"file\",\"Status\":\"Complete\","
           "\"CreationTime\":\"yesterday\"}"),
      "CreationTime", "7  ");
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
  assert_refused(body, "nested");
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

static void add_table_tests(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc, process_is_a_percentage_and_zero_when_empty_or_absent,
                      0, N_OF(good_processes));
  tcase_add_loop_test(tc,
                      process_that_is_not_a_percentage_string_skips_the_task, 0,
                      N_OF(bad_processes));
  tcase_add_loop_test(tc,
                      a_task_member_missing_or_of_the_wrong_type_skips_the_task,
                      0, N_OF(bad_tasks));
  tcase_add_loop_test(tc, object_types_and_statuses_are_recognised_in_any_case,
                      0, N_OF(known_kinds));
  tcase_add_loop_test(tc,
                      a_member_of_the_wrong_type_or_form_is_malformed_and_named,
                      0, N_OF(bad_members));
}

static const unit_case_t test_case = {
    .setup = setup, .teardown = teardown, .extend = add_table_tests};

int main(void) {
  const TTest *const tests[] = {
      a_cdn_page_is_read_from_tasks_cdntask,
      a_full_success_page_yields_every_field,
      process_accepts_spaces_and_a_fraction,
      an_unknown_status_keeps_the_task_and_the_raw_string,
      an_unknown_type_keeps_the_task_and_the_raw_string,
      an_absent_description_is_empty,
      a_null_description_or_process_is_absent,
      an_error_body_is_an_api_error,
      a_code_member_wins_over_page_fields,
      an_empty_task_list_is_an_empty_page,
      absent_tasks_is_an_empty_page,
      the_by_id_shape_has_tasks_as_a_flat_array,
      not_json_is_malformed,
      an_empty_body_is_malformed,
      truncated_json_is_malformed,
      invalid_utf8_in_a_string_is_malformed,
      a_top_level_array_is_malformed,
      a_page_keeps_its_readable_tasks_around_skipped_ones,
      every_task_string_is_made_printable,
      a_skipped_task_id_is_made_printable,
      deeply_nested_json_is_refused,
      deeply_nested_objects_inside_a_member_are_refused,
      brackets_inside_strings_do_not_count_as_nesting,
  };
  return unit_main("resp", tests, N_OF(tests), &test_case);
}
