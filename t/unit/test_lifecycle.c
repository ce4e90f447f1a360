/* What each new sighting of a task means: counted once, a completion time
 * when one is known, FAILURE once, the stuck WARNING once and its OKAY. */
#include "core/lifecycle.h"
#include "core/statefile.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CREATED 1700000000
#define STUCK_AFTER 900

static tracked_task_t task_with(task_status_t status) {
  tracked_task_t t;
  memset(&t, 0, sizeof(t));
  t.id = 704225667;
  t.created = CREATED;
  t.domain = 0;
  t.type = TASK_TYPE_FILE;
  t.status = (uint8_t)status;
  t.progress = status == TASK_STATUS_COMPLETE ? 100 : 0;
  return t;
}

/* One sighting: old is the record kept since the last one (NULL when new),
 * *now_seen the task as seen now; its flags become the kept ones. */
static lifecycle_events_t observe(const tracked_task_t *old,
                                  tracked_task_t *now_seen, time_t now,
                                  bool first_load) {
  lifecycle_events_t ev;
  /* Garbage the function has to overwrite. */
  memset(&ev, 0xa5, sizeof(ev));
  lifecycle_observe(old, now_seen, now, STUCK_AFTER, first_load, &ev);
  return ev;
}

/* No counting, no sample, no notification at all. */
static void assert_quiet(const lifecycle_events_t *ev) {
  ck_assert(!ev->completed);
  ck_assert(!ev->failed);
  ck_assert(!ev->has_completion);
  ck_assert(!ev->notify_failed);
  ck_assert(!ev->notify_stuck);
  ck_assert(!ev->notify_recovered);
}

static void assert_no_notification(const lifecycle_events_t *ev) {
  ck_assert(!ev->notify_failed);
  ck_assert(!ev->notify_stuck);
  ck_assert(!ev->notify_recovered);
}

START_TEST(a_new_task_seen_complete_counts_with_its_completion_time) {
  tracked_task_t t = task_with(TASK_STATUS_COMPLETE);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + 42, false);
  ck_assert(ev.completed);
  ck_assert(!ev.failed);
  ck_assert(ev.has_completion);
  ck_assert_double_eq(ev.completion_seconds, 42.0);
  assert_no_notification(&ev);
  ck_assert_uint_eq(t.flags, LIFECYCLE_COUNTED);
}
END_TEST

START_TEST(a_completion_time_is_never_negative_when_clocks_disagree) {
  tracked_task_t t = task_with(TASK_STATUS_COMPLETE);
  lifecycle_events_t ev = observe(NULL, &t, CREATED - 5, false);
  ck_assert(ev.completed);
  ck_assert(ev.has_completion);
  ck_assert_double_eq(ev.completion_seconds, 0.0);
}
END_TEST

START_TEST(a_task_already_complete_in_history_counts_without_a_time) {
  tracked_task_t t = task_with(TASK_STATUS_COMPLETE);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + 3000, true);
  ck_assert(ev.completed);
  ck_assert(!ev.failed);
  ck_assert(!ev.has_completion);
  assert_no_notification(&ev);
  ck_assert_uint_eq(t.flags, LIFECYCLE_COUNTED);
}
END_TEST

START_TEST(a_task_seen_in_flight_then_complete_gives_a_completion_time) {
  tracked_task_t first = task_with(TASK_STATUS_REFRESHING);
  lifecycle_events_t ev = observe(NULL, &first, CREATED + 10, true);
  assert_quiet(&ev);
  ck_assert_uint_eq(first.flags, 0);

  tracked_task_t done = task_with(TASK_STATUS_COMPLETE);
  ev = observe(&first, &done, CREATED + 70, false);
  ck_assert(ev.completed);
  ck_assert(ev.has_completion);
  ck_assert_double_eq(ev.completion_seconds, 70.0);
  assert_no_notification(&ev);
}
END_TEST

START_TEST(a_pending_task_then_complete_even_during_first_load_has_a_time) {
  tracked_task_t first = task_with(TASK_STATUS_PENDING);
  observe(NULL, &first, CREATED + 1, true);
  tracked_task_t done = task_with(TASK_STATUS_COMPLETE);
  lifecycle_events_t ev = observe(&first, &done, CREATED + 8, true);
  ck_assert(ev.completed);
  ck_assert(ev.has_completion);
  ck_assert_double_eq(ev.completion_seconds, 8.0);
}
END_TEST

START_TEST(a_complete_task_seen_twice_is_counted_once) {
  tracked_task_t first = task_with(TASK_STATUS_COMPLETE);
  lifecycle_events_t ev = observe(NULL, &first, CREATED + 5, false);
  ck_assert(ev.completed);
  tracked_task_t again = task_with(TASK_STATUS_COMPLETE);
  ev = observe(&first, &again, CREATED + 65, false);
  assert_quiet(&ev);
  ck_assert_uint_eq(again.flags, LIFECYCLE_COUNTED);
  tracked_task_t third = task_with(TASK_STATUS_COMPLETE);
  ev = observe(&again, &third, CREATED + 125, false);
  assert_quiet(&ev);
}
END_TEST

START_TEST(a_task_in_flight_is_neither_counted_nor_announced) {
  tracked_task_t t = task_with(TASK_STATUS_PENDING);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + 1, false);
  assert_quiet(&ev);
  tracked_task_t later = task_with(TASK_STATUS_REFRESHING);
  later.progress = 50;
  ev = observe(&t, &later, CREATED + 61, false);
  assert_quiet(&ev);
  ck_assert_uint_eq(later.flags, 0);
}
END_TEST

START_TEST(a_new_failed_task_is_counted_and_announced) {
  tracked_task_t t = task_with(TASK_STATUS_FAILED);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + 30, false);
  ck_assert(ev.failed);
  ck_assert(!ev.completed);
  ck_assert(!ev.has_completion);
  ck_assert(ev.notify_failed);
  ck_assert(!ev.notify_stuck);
  ck_assert(!ev.notify_recovered);
  ck_assert_uint_eq(t.flags, LIFECYCLE_COUNTED | LIFECYCLE_FAILURE_HANDLED);
}
END_TEST

START_TEST(a_failure_found_in_history_is_counted_and_never_announced) {
  tracked_task_t t = task_with(TASK_STATUS_FAILED);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + 3000, true);
  ck_assert(ev.failed);
  ck_assert(!ev.completed);
  ck_assert(!ev.notify_failed);
  ck_assert_uint_eq(t.flags, LIFECYCLE_COUNTED | LIFECYCLE_FAILURE_HANDLED);

  /* Seen again once history is read: still history. */
  tracked_task_t again = task_with(TASK_STATUS_FAILED);
  ev = observe(&t, &again, CREATED + 3060, false);
  assert_quiet(&ev);
  tracked_task_t third = task_with(TASK_STATUS_FAILED);
  ev = observe(&again, &third, CREATED + 3120, true);
  assert_quiet(&ev);
}
END_TEST

START_TEST(a_task_that_fails_in_flight_is_announced_once) {
  tracked_task_t first = task_with(TASK_STATUS_REFRESHING);
  lifecycle_events_t ev = observe(NULL, &first, CREATED + 5, true);
  assert_quiet(&ev);

  tracked_task_t failed = task_with(TASK_STATUS_FAILED);
  ev = observe(&first, &failed, CREATED + 65, false);
  ck_assert(ev.failed);
  ck_assert(ev.notify_failed);
  ck_assert(!ev.completed);
  ck_assert(!ev.has_completion);

  tracked_task_t again = task_with(TASK_STATUS_FAILED);
  ev = observe(&failed, &again, CREATED + 125, false);
  assert_quiet(&ev);
}
END_TEST

START_TEST(a_task_in_flight_that_fails_during_first_load_is_announced) {
  /* It was watched in flight, so its failure is news. */
  tracked_task_t first = task_with(TASK_STATUS_PENDING);
  observe(NULL, &first, CREATED + 5, true);
  tracked_task_t failed = task_with(TASK_STATUS_FAILED);
  lifecycle_events_t ev = observe(&first, &failed, CREATED + 65, true);
  ck_assert(ev.failed);
  ck_assert(ev.notify_failed);
}
END_TEST

START_TEST(a_task_in_flight_exactly_stuck_after_seconds_is_not_stuck_yet) {
  tracked_task_t t = task_with(TASK_STATUS_REFRESHING);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + STUCK_AFTER, false);
  assert_quiet(&ev);
  ck_assert_uint_eq(t.flags, 0);
}
END_TEST

START_TEST(a_task_in_flight_longer_than_stuck_after_is_warned_about_once) {
  tracked_task_t first = task_with(TASK_STATUS_REFRESHING);
  lifecycle_events_t ev = observe(NULL, &first, CREATED + 10, false);
  assert_quiet(&ev);

  tracked_task_t stuck = task_with(TASK_STATUS_REFRESHING);
  ev = observe(&first, &stuck, CREATED + STUCK_AFTER + 1, false);
  ck_assert(ev.notify_stuck);
  ck_assert(!ev.notify_failed);
  ck_assert(!ev.notify_recovered);
  ck_assert(!ev.completed);
  ck_assert(!ev.failed);
  ck_assert_uint_eq(stuck.flags, LIFECYCLE_STUCK);

  tracked_task_t still = task_with(TASK_STATUS_PENDING);
  ev = observe(&stuck, &still, CREATED + STUCK_AFTER + 600, false);
  assert_quiet(&ev);
  ck_assert_uint_eq(still.flags, LIFECYCLE_STUCK);
}
END_TEST

START_TEST(a_stuck_task_that_completes_recovers_once) {
  tracked_task_t first = task_with(TASK_STATUS_REFRESHING);
  lifecycle_events_t ev = observe(NULL, &first, CREATED + 2000, false);
  ck_assert(ev.notify_stuck);

  tracked_task_t done = task_with(TASK_STATUS_COMPLETE);
  ev = observe(&first, &done, CREATED + 2060, false);
  ck_assert(ev.notify_recovered);
  ck_assert(!ev.notify_stuck);
  ck_assert(!ev.notify_failed);
  ck_assert(ev.completed);
  ck_assert(ev.has_completion);
  ck_assert_double_eq(ev.completion_seconds, 2060.0);
  ck_assert_uint_eq(done.flags, LIFECYCLE_COUNTED);

  tracked_task_t again = task_with(TASK_STATUS_COMPLETE);
  ev = observe(&done, &again, CREATED + 2120, false);
  assert_quiet(&ev);
}
END_TEST

START_TEST(a_stuck_task_that_fails_is_announced_failed_not_recovered) {
  tracked_task_t first = task_with(TASK_STATUS_PENDING);
  lifecycle_events_t ev = observe(NULL, &first, CREATED + 1000, false);
  ck_assert(ev.notify_stuck);

  tracked_task_t failed = task_with(TASK_STATUS_FAILED);
  ev = observe(&first, &failed, CREATED + 1060, false);
  ck_assert(ev.failed);
  ck_assert(ev.notify_failed);
  ck_assert(!ev.notify_recovered);
  ck_assert(!ev.notify_stuck);

  tracked_task_t again = task_with(TASK_STATUS_FAILED);
  ev = observe(&failed, &again, CREATED + 1120, false);
  assert_quiet(&ev);
}
END_TEST

START_TEST(a_task_already_stuck_when_first_read_is_warned_about) {
  tracked_task_t t = task_with(TASK_STATUS_REFRESHING);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + 5000, true);
  ck_assert(ev.notify_stuck);
  ck_assert(!ev.completed);
}
END_TEST

START_TEST(a_complete_task_that_was_never_stuck_does_not_recover) {
  tracked_task_t first = task_with(TASK_STATUS_REFRESHING);
  observe(NULL, &first, CREATED + 100, false);
  tracked_task_t done = task_with(TASK_STATUS_COMPLETE);
  lifecycle_events_t ev = observe(&first, &done, CREATED + 5000, false);
  ck_assert(ev.completed);
  ck_assert(!ev.notify_recovered);
  ck_assert(!ev.notify_stuck);
}
END_TEST

START_TEST(the_flags_come_from_the_old_record_not_the_new_sighting) {
  tracked_task_t old = task_with(TASK_STATUS_FAILED);
  old.flags = LIFECYCLE_COUNTED | LIFECYCLE_FAILURE_HANDLED | LIFECYCLE_STUCK;
  tracked_task_t seen = task_with(TASK_STATUS_FAILED);
  seen.flags = 0xf0; /* whatever the caller left there */
  lifecycle_events_t ev = observe(&old, &seen, CREATED + 60, false);
  assert_quiet(&ev);
  ck_assert_uint_eq(seen.flags, old.flags);

  tracked_task_t fresh = task_with(TASK_STATUS_PENDING);
  fresh.flags = 0xff;
  ev = observe(NULL, &fresh, CREATED + 1, false);
  assert_quiet(&ev);
  ck_assert_uint_eq(fresh.flags, 0);
}
END_TEST

/* The record after a save and a restart: formatted and parsed back. */
static tracked_task_t restarted(const tracked_task_t *before) {
  conf_domain_t dom = {(char *)"example.com", CONF_TYPES_ALL, CONF_INHERIT,
                       CONF_INHERIT};
  conf_account_t account;
  memset(&account, 0, sizeof(account));
  account.name = (char *)"prod";
  account.domains = &dom;
  account.domain_count = 1;
  account.stuck_after = STUCK_AFTER;
  account.notify = CONF_NOTIFY_ALL;
  domtab_t domains;
  ck_assert_int_eq(domtab_init(&domains, &account), 0);

  statefile_state_t st;
  memset(&st, 0, sizeof(st));
  bool is_new;
  ck_assert_int_eq(tracker_put(&st.tracker, before, &is_new), 0);
  strbuf_t text = STRBUF_INIT;
  statefile_format(&text, "prod", &domains, &st);
  ck_assert_ptr_nonnull(strbuf_str(&text));
  statefile_state_free(&st);

  char why[256] = "";
  ck_assert_msg(statefile_parse(strbuf_str(&text), "prod", &domains, &st, why,
                                sizeof(why)) == 0,
                "%s", why);
  const tracked_task_t *loaded = tracker_get(&st.tracker, before->id);
  ck_assert_ptr_nonnull(loaded);
  tracked_task_t out = *loaded;
  statefile_state_free(&st);
  strbuf_free(&text);
  domtab_free(&domains);
  return out;
}

START_TEST(a_restarted_plugin_does_not_announce_a_failure_again) {
  tracked_task_t t = task_with(TASK_STATUS_FAILED);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + 60, false);
  ck_assert(ev.notify_failed);

  tracked_task_t loaded = restarted(&t);
  ck_assert_uint_eq(loaded.flags, t.flags);
  tracked_task_t again = task_with(TASK_STATUS_FAILED);
  ev = observe(&loaded, &again, CREATED + 120, false);
  assert_quiet(&ev);
}
END_TEST

START_TEST(a_restarted_plugin_does_not_warn_again_and_still_recovers) {
  tracked_task_t t = task_with(TASK_STATUS_REFRESHING);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + 1000, false);
  ck_assert(ev.notify_stuck);

  tracked_task_t loaded = restarted(&t);
  ck_assert_uint_eq(loaded.flags, LIFECYCLE_STUCK);
  tracked_task_t still = task_with(TASK_STATUS_REFRESHING);
  ev = observe(&loaded, &still, CREATED + 1100, false);
  assert_quiet(&ev);

  tracked_task_t reloaded = restarted(&still);
  tracked_task_t done = task_with(TASK_STATUS_COMPLETE);
  ev = observe(&reloaded, &done, CREATED + 1200, false);
  ck_assert(ev.notify_recovered);
  ck_assert(ev.completed);
  ck_assert(ev.has_completion);
}
END_TEST

START_TEST(a_restarted_plugin_does_not_count_a_completion_again) {
  tracked_task_t t = task_with(TASK_STATUS_COMPLETE);
  lifecycle_events_t ev = observe(NULL, &t, CREATED + 60, false);
  ck_assert(ev.completed);
  tracked_task_t loaded = restarted(&t);
  tracked_task_t again = task_with(TASK_STATUS_COMPLETE);
  ev = observe(&loaded, &again, CREATED + 120, true);
  assert_quiet(&ev);
}
END_TEST

int main(void) {
  Suite *s = suite_create("lifecycle");
  TCase *tc = tcase_create("lifecycle");
  tcase_add_test(tc, a_new_task_seen_complete_counts_with_its_completion_time);
  tcase_add_test(tc, a_completion_time_is_never_negative_when_clocks_disagree);
  tcase_add_test(tc, a_task_already_complete_in_history_counts_without_a_time);
  tcase_add_test(tc,
                 a_task_seen_in_flight_then_complete_gives_a_completion_time);
  tcase_add_test(
      tc, a_pending_task_then_complete_even_during_first_load_has_a_time);
  tcase_add_test(tc, a_complete_task_seen_twice_is_counted_once);
  tcase_add_test(tc, a_task_in_flight_is_neither_counted_nor_announced);
  tcase_add_test(tc, a_new_failed_task_is_counted_and_announced);
  tcase_add_test(tc, a_failure_found_in_history_is_counted_and_never_announced);
  tcase_add_test(tc, a_task_that_fails_in_flight_is_announced_once);
  tcase_add_test(tc,
                 a_task_in_flight_that_fails_during_first_load_is_announced);
  tcase_add_test(tc,
                 a_task_in_flight_exactly_stuck_after_seconds_is_not_stuck_yet);
  tcase_add_test(tc,
                 a_task_in_flight_longer_than_stuck_after_is_warned_about_once);
  tcase_add_test(tc, a_stuck_task_that_completes_recovers_once);
  tcase_add_test(tc, a_stuck_task_that_fails_is_announced_failed_not_recovered);
  tcase_add_test(tc, a_task_already_stuck_when_first_read_is_warned_about);
  tcase_add_test(tc, a_complete_task_that_was_never_stuck_does_not_recover);
  tcase_add_test(tc, the_flags_come_from_the_old_record_not_the_new_sighting);
  tcase_add_test(tc, a_restarted_plugin_does_not_announce_a_failure_again);
  tcase_add_test(tc, a_restarted_plugin_does_not_warn_again_and_still_recovers);
  tcase_add_test(tc, a_restarted_plugin_does_not_count_a_completion_again);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
