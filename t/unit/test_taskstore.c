/* Tasks keyed by TaskId: a task seen on many pages counts once. */
#include "core/taskstore.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s) {
  char *d = strdup(s);
  ck_assert_ptr_nonnull(d);
  return d;
}

static task_t make_task(const char *id, task_status_t status, double progress) {
  task_t t = {0};
  t.task_id = xstrdup(id);
  t.object_path = xstrdup("http://example.com/x");
  t.description = xstrdup("");
  t.type = TASK_TYPE_FILE;
  t.status = status;
  t.progress = progress;
  t.created = 1700000000;
  return t;
}

static void put(taskstore_t *store, const char *id, task_status_t status,
                double progress) {
  task_t t = make_task(id, status, progress);
  ck_assert_int_eq(taskstore_put(store, &t), 0);
  /* Ownership moved: the caller's copy is zeroed. */
  ck_assert_ptr_null(t.task_id);
  ck_assert_ptr_null(t.object_path);
  ck_assert_ptr_null(t.description);
}

START_TEST(an_empty_store_has_nothing) {
  taskstore_t store = TASKSTORE_INIT;
  ck_assert_ptr_null(taskstore_get(&store, "1"));
  size_t pos = 0;
  ck_assert_ptr_null(taskstore_next(&store, &pos));
  ck_assert_uint_eq(store.count, 0);
  taskstore_free(&store);
}
END_TEST

START_TEST(a_stored_task_can_be_got_back) {
  taskstore_t store = TASKSTORE_INIT;
  put(&store, "704225667", TASK_STATUS_REFRESHING, 10.0);
  put(&store, "123", TASK_STATUS_FAILED, 0.0);
  ck_assert_uint_eq(store.count, 2);
  const task_t *t = taskstore_get(&store, "704225667");
  ck_assert_ptr_nonnull(t);
  ck_assert_str_eq(t->task_id, "704225667");
  ck_assert_str_eq(t->object_path, "http://example.com/x");
  ck_assert_int_eq(t->status, TASK_STATUS_REFRESHING);
  ck_assert_double_eq(t->progress, 10.0);
  ck_assert_int_eq(t->created, 1700000000);
  t = taskstore_get(&store, "123");
  ck_assert_ptr_nonnull(t);
  ck_assert_int_eq(t->status, TASK_STATUS_FAILED);
  ck_assert_ptr_null(taskstore_get(&store, "12"));
  ck_assert_ptr_null(taskstore_get(&store, "1234"));
  taskstore_free(&store);
}
END_TEST

START_TEST(a_task_with_the_same_id_replaces_the_old_one) {
  taskstore_t store = TASKSTORE_INIT;
  put(&store, "7", TASK_STATUS_REFRESHING, 10.0);
  put(&store, "8", TASK_STATUS_PENDING, 0.0);
  put(&store, "7", TASK_STATUS_COMPLETE, 100.0);
  ck_assert_uint_eq(store.count, 2);
  const task_t *t = taskstore_get(&store, "7");
  ck_assert_ptr_nonnull(t);
  ck_assert_int_eq(t->status, TASK_STATUS_COMPLETE);
  ck_assert_double_eq(t->progress, 100.0);
  size_t pos = 0, seen = 0;
  while (taskstore_next(&store, &pos) != NULL)
    seen++;
  ck_assert_uint_eq(seen, 2);
  taskstore_free(&store);
}
END_TEST

START_TEST(replacing_frees_the_unknown_strings_of_the_old_task) {
  taskstore_t store = TASKSTORE_INIT;
  task_t t = make_task("9", TASK_STATUS_UNKNOWN, 0.0);
  t.unknown_status = xstrdup("Cancelled");
  t.type = TASK_TYPE_UNKNOWN;
  t.unknown_type = xstrdup("Block");
  ck_assert_int_eq(taskstore_put(&store, &t), 0);
  ck_assert_ptr_null(t.unknown_status);
  ck_assert_str_eq(taskstore_get(&store, "9")->unknown_status, "Cancelled");
  put(&store, "9", TASK_STATUS_COMPLETE, 100.0);
  ck_assert_ptr_null(taskstore_get(&store, "9")->unknown_status);
  ck_assert_ptr_null(taskstore_get(&store, "9")->unknown_type);
  ck_assert_uint_eq(store.count, 1);
  taskstore_free(&store); /* valgrind: nothing of either task leaks */
}
END_TEST

/* Iterates the store and checks that ids "0".."n-1" each appear once. */
static void assert_iterates_each_once(const taskstore_t *store, size_t n) {
  unsigned char *seen = calloc(n ? n : 1, 1);
  ck_assert_ptr_nonnull(seen);
  size_t pos = 0, visits = 0;
  const task_t *t;
  while ((t = taskstore_next(store, &pos)) != NULL) {
    char *end = NULL;
    unsigned long id = strtoul(t->task_id, &end, 10);
    ck_assert_msg(*end == '\0' && id < n, "unexpected id %s", t->task_id);
    ck_assert_msg(!seen[id], "id %lu visited twice", id);
    seen[id] = 1;
    visits++;
  }
  ck_assert_uint_eq(visits, n);
  /* The end stays the end. */
  ck_assert_ptr_null(taskstore_next(store, &pos));
  free(seen);
}

START_TEST(iteration_visits_each_task_once) {
  taskstore_t store = TASKSTORE_INIT;
  char id[32];
  for (int i = 0; i < 100; i++) {
    snprintf(id, sizeof(id), "%d", i);
    put(&store, id, TASK_STATUS_COMPLETE, 100.0);
  }
  /* Seen again on an overlapping page: still once each. */
  for (int i = 50; i < 100; i++) {
    snprintf(id, sizeof(id), "%d", i);
    put(&store, id, TASK_STATUS_COMPLETE, 100.0);
  }
  ck_assert_uint_eq(store.count, 100);
  assert_iterates_each_once(&store, 100);
  taskstore_free(&store);
}
END_TEST

START_TEST(the_store_grows_past_many_thousands_of_tasks) {
  taskstore_t store = TASKSTORE_INIT;
  const size_t n = 50000;
  char id[32];
  for (size_t i = 0; i < n; i++) {
    snprintf(id, sizeof(id), "%zu", i);
    put(&store, id, (task_status_t)(i % TASK_STATUS_COUNT), (double)(i % 101));
  }
  ck_assert_uint_eq(store.count, n);
  ck_assert_uint_ge(store.cap, n);
  ck_assert_uint_eq(store.cap & (store.cap - 1), 0); /* a power of two */
  for (size_t i = 0; i < n; i++) {
    snprintf(id, sizeof(id), "%zu", i);
    const task_t *t = taskstore_get(&store, id);
    ck_assert_msg(t != NULL, "task %zu lost", i);
    ck_assert_str_eq(t->task_id, id);
    ck_assert_int_eq(t->status, (task_status_t)(i % TASK_STATUS_COUNT));
    ck_assert_double_eq(t->progress, (double)(i % 101));
  }
  ck_assert_ptr_null(taskstore_get(&store, "50000"));
  assert_iterates_each_once(&store, n);
  taskstore_free(&store);
}
END_TEST

START_TEST(free_empties_the_store_for_reuse) {
  taskstore_t store = TASKSTORE_INIT;
  put(&store, "1", TASK_STATUS_PENDING, 0.0);
  put(&store, "2", TASK_STATUS_PENDING, 0.0);
  taskstore_free(&store);
  ck_assert_ptr_null(store.slots);
  ck_assert_uint_eq(store.count, 0);
  ck_assert_uint_eq(store.cap, 0);
  ck_assert_ptr_null(taskstore_get(&store, "1"));
  put(&store, "3", TASK_STATUS_PENDING, 0.0);
  ck_assert_uint_eq(store.count, 1);
  taskstore_free(&store);
  taskstore_free(&store); /* freeing an empty store is harmless */
}
END_TEST

int main(void) {
  Suite *s = suite_create("taskstore");
  TCase *tc = tcase_create("taskstore");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, an_empty_store_has_nothing);
  tcase_add_test(tc, a_stored_task_can_be_got_back);
  tcase_add_test(tc, a_task_with_the_same_id_replaces_the_old_one);
  tcase_add_test(tc, replacing_frees_the_unknown_strings_of_the_old_task);
  tcase_add_test(tc, iteration_visits_each_task_once);
  tcase_add_test(tc, the_store_grows_past_many_thousands_of_tasks);
  tcase_add_test(tc, free_empties_the_store_for_reuse);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
