/* The tasks an account knows: numeric TaskIds, 24-byte records in an
 * open-addressing table, updates in place and expiry by creation time. */
#include "core/tasktable.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* 2024-05-06T07:08:09Z */
#define NOW ((time_t)1714979289)

static tasktable_t tr;

static void setup(void) { tr = (tasktable_t)TASKTABLE_INIT; }

static void teardown(void) { tasktable_free(&tr); }

/* Each test leaves tr to teardown; tables of 100000 tasks take a while. */
static const unit_case_t test_case = {
    .setup = setup, .teardown = teardown, .timeout = 120};

static tracked_task_t make_task(uint64_t id, time_t created,
                                task_status_t status) {
  tracked_task_t t = {0};
  t.id = id;
  t.created = created;
  t.domain = (uint32_t)(id % 7);
  t.type = (uint8_t)(id % TASK_TYPE_COUNT);
  t.status = (uint8_t)status;
  t.progress = (uint8_t)(id % 101);
  return t;
}

/* Puts a task; whether that worked and is_new came out as expected. Plain
 * comparisons: a check assertion per put would slow the big loops down. */
static bool put(uint64_t id, time_t created, task_status_t status,
                bool expect_new) {
  tracked_task_t t = make_task(id, created, status);
  bool is_new = !expect_new;
  return tasktable_put(&tr, &t, &is_new) == 0 && is_new == expect_new;
}

/* Puts the ids first to last alike; whether every put went as expected. */
static bool put_ids(uint64_t first, uint64_t last, time_t created,
                    task_status_t status, bool expect_new) {
  bool ok = true;
  for (uint64_t id = first; id <= last; id++)
    ok = put(id, created, status, expect_new) && ok;
  return ok;
}

/* Whether the task with this id is there, intact, as make_task made it. */
static bool holds(uint64_t id, time_t created, task_status_t status) {
  const tracked_task_t *t = tasktable_get(&tr, id);
  tracked_task_t want = make_task(id, created, status);
  return t != NULL && t->id == want.id && t->created == want.created &&
         t->domain == want.domain && t->type == want.type &&
         t->status == want.status && t->progress == want.progress &&
         t->flags == 0;
}

/* Whether the ids first to last are all there as put_ids put them. */
static bool holds_ids(uint64_t first, uint64_t last, time_t created,
                      task_status_t status) {
  bool ok = true;
  for (uint64_t id = first; id <= last; id++)
    ok = ok && holds(id, created, status);
  return ok;
}

/* ---- TaskId ---- */

START_TEST(a_task_id_of_digits_becomes_its_number) {
  uint64_t id = 0;
  ck_assert_int_eq(tasktable_parse_id("704225667", &id), 0);
  ck_assert_uint_eq(id, 704225667);
  ck_assert_int_eq(tasktable_parse_id("1", &id), 0);
  ck_assert_uint_eq(id, 1);
  ck_assert_int_eq(tasktable_parse_id("0012", &id), 0);
  ck_assert_uint_eq(id, 12);
}
END_TEST

START_TEST(a_task_id_may_have_up_to_nineteen_digits) {
  uint64_t id = 0;
  ck_assert_int_eq(tasktable_parse_id("9999999999999999999", &id), 0);
  ck_assert_uint_eq(id, UINT64_C(9999999999999999999));
  ck_assert_int_eq(tasktable_parse_id("1000000000000000000", &id), 0);
  ck_assert_uint_eq(id, UINT64_C(1000000000000000000));
}
END_TEST

START_TEST(anything_but_a_positive_number_of_digits_is_refused) {
  static const char *const bad[] = {
      "",
      "0",
      "00",
      "12a",
      "a12",
      "-1",
      "+1",
      " 1",
      "1 ",
      "1.5",
      "1e3",
      "0x10",
      "1,2",
      "12\n",
      "\xd9\xa1\xd9\xa2",     /* Arabic-Indic */
      "12345678901234567890", /* 20 digits */
      "99999999999999999999", /* 20 digits, past UINT64_MAX */
      "18446744073709551616", /* UINT64_MAX + 1 */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    uint64_t id = 42;
    ck_assert_msg(tasktable_parse_id(bad[i], &id) == -1, "accepted \"%s\"",
                  bad[i]);
    ck_assert_uint_eq(id, 42);
  }
}
END_TEST

/* ---- put, get, iterate ---- */

START_TEST(a_task_record_takes_twenty_four_bytes) {
  ck_assert_uint_eq(sizeof(tracked_task_t), 24);
}
END_TEST

START_TEST(an_empty_task_table_knows_nothing) {
  size_t pos = 0;
  ck_assert_ptr_null(tasktable_get(&tr, 1));
  ck_assert_ptr_null(tasktable_next(&tr, &pos));
  ck_assert_uint_eq(tasktable_expire(&tr, NOW, NOW), 0);
  ck_assert_uint_eq(tr.count, 0);
}
END_TEST

START_TEST(a_new_task_is_stored_and_reported_new) {
  ck_assert(put(704225667, NOW - 60, TASK_STATUS_REFRESHING, true));
  ck_assert_uint_eq(tr.count, 1);
  ck_assert(holds(704225667, NOW - 60, TASK_STATUS_REFRESHING));
  ck_assert_ptr_null(tasktable_get(&tr, 704225668));
  ck_assert_ptr_null(tasktable_get(&tr, 0));
}
END_TEST

START_TEST(a_known_task_is_updated_in_place_and_not_new) {
  ck_assert(put(704225667, NOW - 60, TASK_STATUS_REFRESHING, true));
  ck_assert(put(704225668, NOW - 50, TASK_STATUS_PENDING, true));
  ck_assert(put(704225667, NOW - 60, TASK_STATUS_COMPLETE, false));
  ck_assert_uint_eq(tr.count, 2);
  ck_assert(holds(704225667, NOW - 60, TASK_STATUS_COMPLETE));
  ck_assert(holds(704225668, NOW - 50, TASK_STATUS_PENDING));
}
END_TEST

START_TEST(updates_while_the_table_grows_keep_one_record_per_id) {
  ck_assert(put_ids(1, 5000, NOW, TASK_STATUS_PENDING, true));
  ck_assert(put_ids(1, 5000, NOW, TASK_STATUS_FAILED, false));
  ck_assert_uint_eq(tr.count, 5000);
  ck_assert(holds_ids(1, 5000, NOW, TASK_STATUS_FAILED));
}
END_TEST

START_TEST(ids_far_apart_or_sharing_low_bits_are_all_found) {
  bool ok = true;
  for (uint64_t i = 1; i <= 2000; i++) {
    ok = put(i << 20, NOW, TASK_STATUS_COMPLETE, true) && ok;
    ok = put(UINT64_C(9999999999999999999) - i, NOW, TASK_STATUS_COMPLETE,
             true) &&
         ok;
  }
  ck_assert(ok);
  ck_assert_uint_eq(tr.count, 4000);
  for (uint64_t i = 1; i <= 2000; i++)
    ok = ok && holds(i << 20, NOW, TASK_STATUS_COMPLETE) &&
         holds(UINT64_C(9999999999999999999) - i, NOW, TASK_STATUS_COMPLETE);
  ck_assert(ok);
  ck_assert_ptr_null(tasktable_get(&tr, (uint64_t)2001 << 20));
}
END_TEST

START_TEST(iteration_visits_every_task_exactly_once) {
  enum { N = 3000 };
  bool ok = true;
  for (uint64_t i = 0; i < N; i++)
    ok = put(704225000 + i * 3, NOW - (time_t)i, TASK_STATUS_PENDING, true) &&
         ok;
  unsigned char *seen = calloc(N, 1);
  ck_assert(ok);
  ck_assert_ptr_nonnull(seen);
  size_t visits = 0, pos = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(&tr, &pos)) != NULL) {
    uint64_t i = (t->id - 704225000) / 3;
    ok = ok && t->id >= 704225000 && (t->id - 704225000) % 3 == 0 && i < N &&
         seen[i] == 0 && t->created == NOW - (time_t)i;
    if (i < N)
      seen[i]++;
    visits++;
  }
  ck_assert(ok);
  ck_assert_uint_eq(visits, N);
  for (size_t i = 0; i < N; i++)
    ok = ok && seen[i] == 1;
  ck_assert(ok);
  /* The end stays the end. */
  ck_assert_ptr_null(tasktable_next(&tr, &pos));
  free(seen);
}
END_TEST

/* ---- expiry and memory ---- */

START_TEST(expiry_drops_tasks_created_before_the_oldest_time) {
  ck_assert(put(1, NOW - 3601, TASK_STATUS_COMPLETE, true));
  ck_assert(put(2, NOW - 3600, TASK_STATUS_COMPLETE, true));
  ck_assert(put(3, NOW - 10, TASK_STATUS_PENDING, true));
  ck_assert_uint_eq(tasktable_expire(&tr, NOW - 3600, NOW - 3600), 1);
  ck_assert_uint_eq(tr.count, 2);
  ck_assert_ptr_null(tasktable_get(&tr, 1));
  ck_assert(holds(2, NOW - 3600, TASK_STATUS_COMPLETE));
  ck_assert(holds(3, NOW - 10, TASK_STATUS_PENDING));
  /* An expired id seen again is new again. */
  ck_assert(put(1, NOW - 3601, TASK_STATUS_COMPLETE, true));
  ck_assert_uint_eq(tr.count, 3);
}
END_TEST

START_TEST(tasks_in_flight_outlive_the_lookback_until_their_own_cutoff) {
  /* Finished: kept over the Lookback; in flight: over the API's three
   * days, for the outcome still to come. */
  ck_assert(put(1, NOW - 7200, TASK_STATUS_COMPLETE, true));
  ck_assert(put(2, NOW - 7200, TASK_STATUS_FAILED, true));
  ck_assert(put(3, NOW - 7200, TASK_STATUS_PENDING, true));
  ck_assert(put(4, NOW - 7200, TASK_STATUS_REFRESHING, true));
  ck_assert(put(5, NOW - 259201, TASK_STATUS_REFRESHING, true));
  ck_assert(put(6, NOW - 259200, TASK_STATUS_PENDING, true));
  ck_assert_uint_eq(tasktable_expire(&tr, NOW - 3600, NOW - 259200), 3);
  ck_assert_ptr_null(tasktable_get(&tr, 1));
  ck_assert_ptr_null(tasktable_get(&tr, 2));
  ck_assert(holds(3, NOW - 7200, TASK_STATUS_PENDING));
  ck_assert(holds(4, NOW - 7200, TASK_STATUS_REFRESHING));
  ck_assert_ptr_null(tasktable_get(&tr, 5));
  ck_assert(holds(6, NOW - 259200, TASK_STATUS_PENDING));
}
END_TEST

START_TEST(expiry_with_nothing_old_keeps_everything) {
  bool ok = true;
  for (uint64_t id = 1; id <= 1000; id++)
    ok = put(id, NOW - (time_t)id, TASK_STATUS_COMPLETE, true) && ok;
  ck_assert(ok);
  size_t bytes = tasktable_bytes(&tr);
  ck_assert_uint_eq(tasktable_expire(&tr, NOW - 1000, NOW - 1000), 0);
  ck_assert_uint_eq(tr.count, 1000);
  ck_assert_uint_eq(tasktable_bytes(&tr), bytes);
  ck_assert(holds(1000, NOW - 1000, TASK_STATUS_COMPLETE));
}
END_TEST

START_TEST(expiring_everything_leaves_an_empty_usable_task_table) {
  ck_assert(put_ids(1, 1000, NOW - 7200, TASK_STATUS_COMPLETE, true));
  ck_assert_uint_eq(tasktable_expire(&tr, NOW, NOW), 1000);
  ck_assert_uint_eq(tr.count, 0);
  size_t pos = 0;
  ck_assert_ptr_null(tasktable_next(&tr, &pos));
  ck_assert_ptr_null(tasktable_get(&tr, 500));
  ck_assert(put(500, NOW, TASK_STATUS_PENDING, true));
  ck_assert(holds(500, NOW, TASK_STATUS_PENDING));
}
END_TEST

START_TEST(expiring_half_of_100000_tasks_keeps_the_rest_and_shrinks) {
  enum { N = 100000 };
  bool ok = true;
  /* Task i was created i seconds ago; the odd ones are still in flight. */
  for (uint64_t i = 0; i < N; i++)
    ok = put(800000000 + i, NOW - (time_t)i,
             i % 2 ? TASK_STATUS_REFRESHING : TASK_STATUS_COMPLETE, true) &&
         ok;
  ck_assert(ok);
  ck_assert_uint_eq(tr.count, N);
  size_t before = tasktable_bytes(&tr);

  ck_assert_uint_eq(tasktable_expire(&tr, NOW - (N / 2 - 1), NOW - (N / 2 - 1)),
                    N / 2);
  ck_assert_uint_eq(tr.count, N / 2);
  size_t after = tasktable_bytes(&tr);
  ck_assert_msg(after < before, "%zu bytes after, %zu before", after, before);

  for (uint64_t i = 0; i < N; i++) {
    task_status_t st = i % 2 ? TASK_STATUS_REFRESHING : TASK_STATUS_COMPLETE;
    ok = ok && (i < N / 2 ? holds(800000000 + i, NOW - (time_t)i, st)
                          : tasktable_get(&tr, 800000000 + i) == NULL);
  }
  ck_assert(ok);
  size_t visits = 0, in_flight = 0, pos = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(&tr, &pos)) != NULL) {
    visits++;
    in_flight += tasktable_in_flight(t);
    ok = ok && t->created >= NOW - (N / 2 - 1);
  }
  ck_assert(ok);
  ck_assert_uint_eq(visits, N / 2);
  ck_assert_uint_eq(in_flight, N / 4);
}
END_TEST

START_TEST(memory_per_task_stays_within_64_bytes) {
  enum { N = 20000 };
  /* From a few dozen tasks on, at every size the table grows through. */
  bool ok = true;
  size_t worst_at = 0;
  double worst = 0;
  for (uint64_t i = 1; i <= 5 * N; i++) {
    ok = put(704225667 + i, NOW, TASK_STATUS_COMPLETE, true) && ok;
    double per_task = (double)tasktable_bytes(&tr) / (double)tr.count;
    if (i >= 32 && per_task > worst) {
      worst = per_task;
      worst_at = tr.count;
    }
    ok = ok && (i < 32 || per_task <= 64.0);
    if (i == N) {
      printf("tasktable: %zu tasks hold %zu bytes, %.1f bytes per task\n",
             tr.count, tasktable_bytes(&tr), per_task);
      ck_assert_msg(per_task <= 64.0, "%.1f bytes per task", per_task);
    }
  }
  ck_assert_msg(ok, "%.2f bytes per task at %zu tasks", worst, worst_at);
  tasktable_free(&tr);
  ck_assert_ptr_null(tr.slots);
  ck_assert_uint_eq(tr.count, 0);
}
END_TEST

/* ---- the capacity (tasktable_cap_for) ---- */

/* The load a capacity gives count tasks. */
static double load(size_t count, size_t cap) {
  return cap ? (double)count / (double)cap : 0.0;
}

START_TEST(the_first_task_takes_the_smallest_table) {
  ck_assert_uint_eq(tasktable_cap_for(0, 0), 0);
  ck_assert_uint_eq(tasktable_cap_for(0, 1), TASKTABLE_MIN_CAP);
  ck_assert_uint_eq(tasktable_cap_for(TASKTABLE_MIN_CAP, 1), TASKTABLE_MIN_CAP);
  /* A table too small for what it is to hold grows at once by enough. */
  size_t cap = tasktable_cap_for(0, 1000);
  ck_assert(load(1000, cap) <= 0.75 && load(1000, cap) > 0.5);
}
END_TEST

START_TEST(a_table_grows_by_half_when_the_load_would_pass_three_quarters) {
  ck_assert_uint_eq(tasktable_cap_for(64, 48), 64);
  ck_assert_uint_eq(tasktable_cap_for(64, 49), 96);
  ck_assert_uint_eq(tasktable_cap_for(96, 72), 96);
  ck_assert_uint_eq(tasktable_cap_for(96, 73), 144);
  ck_assert_uint_eq(tasktable_cap_for(318865, 239149), 478297);
  /* At every growth up to 10,000,000 tasks: by half, to a load of 1/2. */
  bool ok = true;
  size_t cap = TASKTABLE_MIN_CAP, grown_at = 0;
  for (size_t count = 1; count <= 10000000; count++) {
    size_t next = tasktable_cap_for(cap, count);
    if (next != cap) {
      ok = ok && next == cap + cap / 2 && load(count - 1, cap) <= 0.75 &&
           load(count, next) >= 0.5 && load(count, next) < 0.52;
      grown_at = count;
    }
    cap = next;
  }
  ck_assert_msg(ok, "at %zu tasks", grown_at);
  ck_assert(grown_at > 5000000);
}
END_TEST

START_TEST(an_expiry_that_leaves_the_load_under_0_45_rebuilds_at_0_6) {
  ck_assert_uint_eq(tasktable_cap_for(1000, 450), 1000);
  ck_assert_uint_eq(tasktable_cap_for(1000, 449), 749);
  ck_assert_uint_eq(tasktable_cap_for(1000, 600), 1000);
  ck_assert_uint_eq(tasktable_cap_for(1000, 750), 1000);
  /* Dropping 10 %, 30 %, 60 % or 99.9 % of a table at any load it can
   * have: the load stays in [0.45, 0.75]. */
  static const double drops[] = {0.1, 0.3, 0.6, 0.999};
  static const double loads[] = {0.5, 0.55, 0.6, 0.7, 0.75};
  for (size_t cap = 10000; cap <= 10000000; cap *= 10)
    for (size_t i = 0; i < N_OF(loads); i++)
      for (size_t j = 0; j < N_OF(drops); j++) {
        size_t keep = (size_t)((double)cap * loads[i] * (1 - drops[j]));
        size_t next = tasktable_cap_for(cap, keep);
        if (next == TASKTABLE_MIN_CAP) /* the few left of 10,000 */
          continue;
        ck_assert_msg(load(keep, next) >= 0.45 && load(keep, next) <= 0.75,
                      "%zu tasks in %zu slots", keep, next);
        ck_assert(next == cap ||
                  (load(keep, next) >= 0.59 && load(keep, next) <= 0.6));
      }
}
END_TEST

START_TEST(a_small_table_never_shrinks_under_the_smallest) {
  ck_assert_uint_eq(tasktable_cap_for(TASKTABLE_MIN_CAP, 0), TASKTABLE_MIN_CAP);
  ck_assert_uint_eq(tasktable_cap_for(TASKTABLE_MIN_CAP, 10),
                    TASKTABLE_MIN_CAP);
  ck_assert_uint_eq(tasktable_cap_for(96, 30), TASKTABLE_MIN_CAP);
  ck_assert_uint_eq(tasktable_cap_for(100000, 0), TASKTABLE_MIN_CAP);
  ck_assert_uint_eq(tasktable_cap_for(100000, 38), TASKTABLE_MIN_CAP);
  ck_assert_uint_eq(tasktable_cap_for(100000, 39), 65);
}
END_TEST

START_TEST(no_rebuild_follows_a_shrink_or_a_growth_at_once) {
  for (size_t keep = 64; keep <= 4000000; keep = keep * 3 + 1) {
    size_t shrunk = tasktable_cap_for(keep * 4, keep);
    ck_assert_uint_lt(shrunk, keep * 4);
    /* Inserting right after a shrink: a quarter more fit. */
    ck_assert_uint_eq(tasktable_cap_for(shrunk, keep + 1), shrunk);
    ck_assert_uint_eq(tasktable_cap_for(shrunk, keep + keep / 4), shrunk);
    /* Another expiry that drops nothing, or a tenth, rebuilds no smaller. */
    ck_assert_uint_eq(tasktable_cap_for(shrunk, keep), shrunk);
    ck_assert_uint_eq(tasktable_cap_for(shrunk, keep - keep / 10), shrunk);
    /* Right after a growth (keep slots now), an expiry that drops a tenth
     * keeps the table. */
    size_t count = keep * 3 / 4 + 1;
    size_t grown = tasktable_cap_for(keep, count);
    ck_assert_uint_eq(grown, keep + keep / 2);
    ck_assert_uint_eq(tasktable_cap_for(grown, count - count / 10), grown);
  }
}
END_TEST

/* Task n of a long run: ids far apart, created one a second, in order. */
#define RUN_ID(n) ((uint64_t)(n)*7919)
#define RUN_CREATED(n) (NOW - 1000000 + (time_t)(n))

START_TEST(the_load_stays_between_0_45_and_0_75_through_puts_and_expiries) {
  static const size_t tenths[] = {1, 3, 6};
  bool ok = true;
  double lowest = 1, highest = 0;
  uint64_t next = 1; /* the tasks held are next - tr.count .. next - 1 */
  /* Each round adds 40,000 tasks, then drops the oldest: a tenth, three
   * tenths, six tenths in turn. */
  for (int round = 0; round < 12; round++) {
    for (int i = 0; i < 40000; i++, next++) {
      ok = put(RUN_ID(next), RUN_CREATED(next), TASK_STATUS_COMPLETE, true) &&
           ok;
      ok = ok && !(tr.cap > TASKTABLE_MIN_CAP && tr.count * 4 > tr.cap * 3);
      highest =
          load(tr.count, tr.cap) > highest ? load(tr.count, tr.cap) : highest;
    }
    size_t drop = tr.count * tenths[round % 3] / 10;
    time_t oldest = RUN_CREATED(next - tr.count + drop);
    ck_assert_uint_eq(tasktable_expire(&tr, oldest, oldest), drop);
    double l = load(tr.count, tr.cap);
    lowest = l < lowest ? l : lowest;
    ok = ok && l >= 0.45 && l <= 0.75 &&
         holds(RUN_ID(next - 1), RUN_CREATED(next - 1), TASK_STATUS_COMPLETE) &&
         tasktable_get(&tr, RUN_ID(next - tr.count - 1)) == NULL;
  }
  ck_assert_msg(ok, "load from %.3f to %.3f", lowest, highest);
}
END_TEST

START_TEST(pending_and_refreshing_tasks_are_in_flight) {
  tracked_task_t t = {0};
  t.status = TASK_STATUS_PENDING;
  ck_assert(tasktable_in_flight(&t));
  t.status = TASK_STATUS_REFRESHING;
  ck_assert(tasktable_in_flight(&t));
  t.status = TASK_STATUS_COMPLETE;
  ck_assert(!tasktable_in_flight(&t));
  t.status = TASK_STATUS_FAILED;
  ck_assert(!tasktable_in_flight(&t));
  t.status = TASK_STATUS_UNKNOWN;
  ck_assert(!tasktable_in_flight(&t));
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_task_id_of_digits_becomes_its_number,
      a_task_id_may_have_up_to_nineteen_digits,
      anything_but_a_positive_number_of_digits_is_refused,
      a_task_record_takes_twenty_four_bytes,
      an_empty_task_table_knows_nothing,
      a_new_task_is_stored_and_reported_new,
      a_known_task_is_updated_in_place_and_not_new,
      updates_while_the_table_grows_keep_one_record_per_id,
      ids_far_apart_or_sharing_low_bits_are_all_found,
      iteration_visits_every_task_exactly_once,
      expiry_drops_tasks_created_before_the_oldest_time,
      tasks_in_flight_outlive_the_lookback_until_their_own_cutoff,
      expiry_with_nothing_old_keeps_everything,
      expiring_everything_leaves_an_empty_usable_task_table,
      expiring_half_of_100000_tasks_keeps_the_rest_and_shrinks,
      memory_per_task_stays_within_64_bytes,
      the_first_task_takes_the_smallest_table,
      a_table_grows_by_half_when_the_load_would_pass_three_quarters,
      an_expiry_that_leaves_the_load_under_0_45_rebuilds_at_0_6,
      a_small_table_never_shrinks_under_the_smallest,
      no_rebuild_follows_a_shrink_or_a_growth_at_once,
      the_load_stays_between_0_45_and_0_75_through_puts_and_expiries,
      pending_and_refreshing_tasks_are_in_flight,
  };
  return unit_main("tasktable", tests, N_OF(tests), &test_case);
}
