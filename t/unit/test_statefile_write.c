/* Writing a state file a chunk at a time (statefile_write): the bytes are
 * those of the whole text, whatever the chunk's size, no chunk is larger
 * than asked, and a sink that fails stops the writing. */
#include "statefile_fixture.h"

#include "unit.h"

#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a sink was given. */
typedef struct {
  strbuf_t text;
  size_t calls, largest;
  size_t fail_at; /* the call that fails (from 1), or 0 */
} sink_t;

static int sink(void *arg, const char *data, size_t len) {
  sink_t *s = arg;
  s->calls++;
  s->largest = len > s->largest ? len : s->largest;
  if (s->calls == s->fail_at) {
    errno = ENOSPC;
    return -1;
  }
  strbuf_append_len(&s->text, data, len);
  return 0;
}

/* rich_watch and tasks enough for a file of several 64 KiB chunks. */
static void big_watch(void) {
  rich_watch(&written);
  for (uint64_t i = 0; i < 4000; i++)
    wf_put(&written, 704225667 + i * 7, T0 + (time_t)i, (uint32_t)(i % 3),
           (unsigned)(i % TASK_TYPE_COUNT), TASK_STATUS_COMPLETE,
           LIFECYCLE_COUNTED);
}

static int write_in_chunks(size_t chunk_max, sink_t *s) {
  statefile_owner_t owner;
  statefile_owner(account, &owner);
  return statefile_write(&owner, &written, true, chunk_max, sink, s);
}

START_TEST(a_tiny_chunk_writes_the_same_bytes_as_one_big_chunk) {
  big_watch();
  char *whole = wf_format(account, &written, true);
  ck_assert_uint_gt(strlen(whole), 2 * STATEFILE_CHUNK_MAX);
  static const size_t sizes[] = {
      1, 2, 7, 64, 4096, 65535, STATEFILE_CHUNK_MAX, 1 << 24};
  for (size_t i = 0; i < N_OF(sizes); i++) {
    sink_t s = {.text = STRBUF_INIT};
    ck_assert_int_eq(write_in_chunks(sizes[i], &s), 0);
    ck_assert_msg(strcmp(strbuf_str(&s.text), whole) == 0,
                  "other bytes in chunks of %zu", sizes[i]);
    ck_assert_uint_le(s.largest, sizes[i]);
    /* Each chunk but the last is full: no more calls than needed. */
    ck_assert_uint_eq(s.calls, (strlen(whole) + sizes[i] - 1) / sizes[i]);
    strbuf_free(&s.text);
  }
  free(whole);
}
END_TEST

START_TEST(a_chunk_of_no_bytes_is_taken_as_one) {
  rich_watch(&written);
  char *whole = wf_format(account, &written, true);
  sink_t s = {.text = STRBUF_INIT};
  ck_assert_int_eq(write_in_chunks(0, &s), 0);
  ck_assert_str_eq(strbuf_str(&s.text), whole);
  ck_assert_uint_eq(s.largest, 1);
  strbuf_free(&s.text);
  free(whole);
}
END_TEST

START_TEST(a_sink_that_fails_stops_the_writing_with_its_reason) {
  big_watch();
  sink_t s = {.text = STRBUF_INIT, .fail_at = 2};
  errno = 0;
  ck_assert_int_eq(write_in_chunks(STATEFILE_CHUNK_MAX, &s), -1);
  ck_assert_int_eq(errno, ENOSPC);
  ck_assert_uint_eq(s.calls, 2);
  ck_assert_uint_eq(s.text.len, STATEFILE_CHUNK_MAX);
  strbuf_free(&s.text);
}
END_TEST

START_TEST(formatting_into_a_strbuf_too_small_fails_it) {
  rich_watch(&written);
  statefile_owner_t owner;
  statefile_owner(account, &owner);
  strbuf_t out;
  strbuf_init(&out, 100);
  statefile_format(&out, &owner, &written, false);
  ck_assert_ptr_null(strbuf_str(&out));
  ck_assert_int_eq(strbuf_error(&out), STRBUF_TOO_LARGE);
  strbuf_free(&out);
}
END_TEST

/* The ids of the task lines, in the order of the file. */
static size_t task_ids(const char *text, uint64_t *out, size_t max) {
  size_t n = 0;
  for (const char *p = strstr(text, "\ntask "); p != NULL && n < max;
       p = strstr(p + 1, "\ntask "))
    out[n++] = strtoull(p + 6, NULL, 10);
  return n;
}

START_TEST(thousands_of_tasks_put_in_any_order_are_written_by_task_id) {
  enum { N = 5000 };
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < N; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
    wf_put(&written, x % UINT64_C(9999999999999999999) + 1, T0, 0,
           TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 0);
  }
  char *text = wf_format(account, &written, false);
  static uint64_t ids[N + 1];
  size_t n = task_ids(text, ids, N + 1);
  ck_assert_uint_eq(n, written.tasks.count);
  for (size_t i = 1; i < n; i++)
    ck_assert_msg(ids[i - 1] < ids[i], "task %zu: %" PRIu64 " before %" PRIu64,
                  i, ids[i - 1], ids[i]);
  free(text);
}
END_TEST

static const unit_case_t test_case = {.setup = setup, .teardown = teardown};

int main(void) {
  const TTest *const tests[] = {
      a_tiny_chunk_writes_the_same_bytes_as_one_big_chunk,
      a_chunk_of_no_bytes_is_taken_as_one,
      a_sink_that_fails_stops_the_writing_with_its_reason,
      formatting_into_a_strbuf_too_small_fails_it,
      thousands_of_tasks_put_in_any_order_are_written_by_task_id,
  };
  return unit_main("statefile_write", tests, N_OF(tests), &test_case);
}
