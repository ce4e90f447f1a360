/* What each new sighting of a task means: counted once, a completion time
 * when one is known, FAILURE once, the stuck WARNING once and its OKAY. */
#include "core/lifecycle.h"
#include "core/statefile.h"
#include "watch_fixture.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define CREATED 1700000000
#define STUCK_AFTER 900

/* Whether the account is reading its history for the first time. */
#define FIRST_LOAD true
#define LATER_POLL false

/* What a sighting may mean, one bit per member of lifecycle_events_t. */
enum {
  QUIET = 0, /* no counting, no sample, no notification at all */
  COMPLETED = 1 << 0,
  FAILED = 1 << 1,
  HAS_COMPLETION = 1 << 2,
  NOTIFY_FAILED = 1 << 3,
  NOTIFY_STUCK = 1 << 4,
  NOTIFY_RECOVERED = 1 << 5,
};

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

/* Whether a stuck WARNING due would be sent (Notify "stuck", a process
 * that notifies); true unless a test says otherwise. */
static bool warns_stuck;

/* One sighting: old is the record kept since the last one (NULL when new),
 * *now_seen the task as seen now; its flags become the kept ones. */
static lifecycle_events_t observe(const tracked_task_t *old,
                                  tracked_task_t *now_seen, time_t now,
                                  bool first_load) {
  lifecycle_events_t ev;
  /* Garbage the function has to overwrite. */
  memset(&ev, 0xa5, sizeof(ev));
  lifecycle_observe(old, now_seen, now, STUCK_AFTER, first_load, warns_stuck,
                    &ev);
  return ev;
}

/* Exactly the expected events (the bits above), and no others. */
static void assert_events(lifecycle_events_t ev, unsigned expected) {
  const bool got[] = {ev.completed,     ev.failed,       ev.has_completion,
                      ev.notify_failed, ev.notify_stuck, ev.notify_recovered};
  static const char *const names[] = {"completed",      "failed",
                                      "has_completion", "notify_failed",
                                      "notify_stuck",   "notify_recovered"};
  for (size_t i = 0; i < N_OF(got); i++) {
    bool want = (expected >> i) & 1;
    ck_assert_msg(got[i] == want, "%s is %s", names[i],
                  got[i] ? "set" : "not set");
  }
}

/* The one task the test follows: the record kept after its last sighting. */
static tracked_task_t task;
static bool task_seen; /* whether there was a sighting yet */

static void forget_the_task(void) {
  memset(&task, 0, sizeof(task));
  task_seen = false;
  warns_stuck = true;
}

/* The task seen CREATED + at as now_seen says (new at its first sighting):
 * exactly the expected events happen, and its record is kept. */
static lifecycle_events_t sight_as(tracked_task_t now_seen, int at,
                                   bool first_load, unsigned expected) {
  lifecycle_events_t ev =
      observe(task_seen ? &task : NULL, &now_seen, CREATED + at, first_load);
  assert_events(ev, expected);
  task = now_seen;
  task_seen = true;
  return ev;
}

static lifecycle_events_t sight(task_status_t status, int at, bool first_load,
                                unsigned expected) {
  return sight_as(task_with(status), at, first_load, expected);
}

START_TEST(a_new_task_seen_complete_counts_with_its_completion_time) {
  lifecycle_events_t ev =
      sight(TASK_STATUS_COMPLETE, 42, LATER_POLL, COMPLETED | HAS_COMPLETION);
  ck_assert_double_eq(ev.completion_seconds, 42.0);
  ck_assert_uint_eq(task.flags, LIFECYCLE_COUNTED);
}
END_TEST

START_TEST(a_completion_time_is_never_negative_when_clocks_disagree) {
  lifecycle_events_t ev =
      sight(TASK_STATUS_COMPLETE, -5, LATER_POLL, COMPLETED | HAS_COMPLETION);
  ck_assert_double_eq(ev.completion_seconds, 0.0);
}
END_TEST

START_TEST(a_task_already_complete_in_history_counts_without_a_time) {
  sight(TASK_STATUS_COMPLETE, 3000, FIRST_LOAD, COMPLETED);
  ck_assert_uint_eq(task.flags, LIFECYCLE_COUNTED);
}
END_TEST

START_TEST(a_task_seen_in_flight_then_complete_gives_a_completion_time) {
  sight(TASK_STATUS_REFRESHING, 10, FIRST_LOAD, QUIET);
  ck_assert_uint_eq(task.flags, 0);
  lifecycle_events_t ev =
      sight(TASK_STATUS_COMPLETE, 70, LATER_POLL, COMPLETED | HAS_COMPLETION);
  ck_assert_double_eq(ev.completion_seconds, 70.0);
}
END_TEST

START_TEST(a_pending_task_then_complete_even_during_first_load_has_a_time) {
  sight(TASK_STATUS_PENDING, 1, FIRST_LOAD, QUIET);
  lifecycle_events_t ev =
      sight(TASK_STATUS_COMPLETE, 8, FIRST_LOAD, COMPLETED | HAS_COMPLETION);
  ck_assert_double_eq(ev.completion_seconds, 8.0);
}
END_TEST

START_TEST(a_complete_task_seen_twice_is_counted_once) {
  sight(TASK_STATUS_COMPLETE, 5, LATER_POLL, COMPLETED | HAS_COMPLETION);
  sight(TASK_STATUS_COMPLETE, 65, LATER_POLL, QUIET);
  ck_assert_uint_eq(task.flags, LIFECYCLE_COUNTED);
  sight(TASK_STATUS_COMPLETE, 125, LATER_POLL, QUIET);
}
END_TEST

START_TEST(a_task_in_flight_is_neither_counted_nor_announced) {
  sight(TASK_STATUS_PENDING, 1, LATER_POLL, QUIET);
  tracked_task_t halfway = task_with(TASK_STATUS_REFRESHING);
  halfway.progress = 50;
  sight_as(halfway, 61, LATER_POLL, QUIET);
  ck_assert_uint_eq(task.flags, 0);
}
END_TEST

START_TEST(a_new_failed_task_is_counted_and_announced) {
  sight(TASK_STATUS_FAILED, 30, LATER_POLL, FAILED | NOTIFY_FAILED);
  ck_assert_uint_eq(task.flags, LIFECYCLE_COUNTED | LIFECYCLE_FAILURE_HANDLED);
}
END_TEST

START_TEST(a_failure_found_in_history_is_counted_and_never_announced) {
  sight(TASK_STATUS_FAILED, 3000, FIRST_LOAD, FAILED);
  ck_assert_uint_eq(task.flags, LIFECYCLE_COUNTED | LIFECYCLE_FAILURE_HANDLED);
  /* Seen again once history is read: still history. */
  sight(TASK_STATUS_FAILED, 3060, LATER_POLL, QUIET);
  sight(TASK_STATUS_FAILED, 3120, FIRST_LOAD, QUIET);
}
END_TEST

START_TEST(a_task_that_fails_in_flight_is_announced_once) {
  sight(TASK_STATUS_REFRESHING, 5, FIRST_LOAD, QUIET);
  sight(TASK_STATUS_FAILED, 65, LATER_POLL, FAILED | NOTIFY_FAILED);
  sight(TASK_STATUS_FAILED, 125, LATER_POLL, QUIET);
}
END_TEST

START_TEST(a_task_in_flight_that_fails_during_first_load_is_announced) {
  /* It was watched in flight, so its failure is news. */
  sight(TASK_STATUS_PENDING, 5, FIRST_LOAD, QUIET);
  sight(TASK_STATUS_FAILED, 65, FIRST_LOAD, FAILED | NOTIFY_FAILED);
}
END_TEST

START_TEST(a_task_in_flight_exactly_stuck_after_seconds_is_not_stuck_yet) {
  sight(TASK_STATUS_REFRESHING, STUCK_AFTER, LATER_POLL, QUIET);
  ck_assert_uint_eq(task.flags, 0);
}
END_TEST

START_TEST(a_task_in_flight_longer_than_stuck_after_is_warned_about_once) {
  sight(TASK_STATUS_REFRESHING, 10, LATER_POLL, QUIET);
  sight(TASK_STATUS_REFRESHING, STUCK_AFTER + 1, LATER_POLL, NOTIFY_STUCK);
  ck_assert_uint_eq(task.flags, LIFECYCLE_STUCK);
  sight(TASK_STATUS_PENDING, STUCK_AFTER + 600, LATER_POLL, QUIET);
  ck_assert_uint_eq(task.flags, LIFECYCLE_STUCK);
}
END_TEST

START_TEST(a_stuck_task_that_completes_recovers_once) {
  sight(TASK_STATUS_REFRESHING, 2000, LATER_POLL, NOTIFY_STUCK);
  lifecycle_events_t ev = sight(TASK_STATUS_COMPLETE, 2060, LATER_POLL,
                                COMPLETED | HAS_COMPLETION | NOTIFY_RECOVERED);
  ck_assert_double_eq(ev.completion_seconds, 2060.0);
  ck_assert_uint_eq(task.flags, LIFECYCLE_COUNTED);
  sight(TASK_STATUS_COMPLETE, 2120, LATER_POLL, QUIET);
}
END_TEST

START_TEST(a_stuck_task_that_fails_is_announced_failed_not_recovered) {
  sight(TASK_STATUS_PENDING, 1000, LATER_POLL, NOTIFY_STUCK);
  sight(TASK_STATUS_FAILED, 1060, LATER_POLL, FAILED | NOTIFY_FAILED);
  sight(TASK_STATUS_FAILED, 1120, LATER_POLL, QUIET);
}
END_TEST

START_TEST(a_task_already_stuck_when_first_read_is_warned_about) {
  sight(TASK_STATUS_REFRESHING, 5000, FIRST_LOAD, NOTIFY_STUCK);
}
END_TEST

START_TEST(a_complete_task_that_was_never_stuck_does_not_recover) {
  sight(TASK_STATUS_REFRESHING, 100, LATER_POLL, QUIET);
  sight(TASK_STATUS_COMPLETE, 5000, LATER_POLL, COMPLETED | HAS_COMPLETION);
}
END_TEST

START_TEST(the_flags_come_from_the_old_record_not_the_new_sighting) {
  tracked_task_t old = task_with(TASK_STATUS_FAILED);
  old.flags = LIFECYCLE_COUNTED | LIFECYCLE_FAILURE_HANDLED | LIFECYCLE_STUCK;
  tracked_task_t seen = task_with(TASK_STATUS_FAILED);
  seen.flags = 0xf0; /* whatever the caller left there */
  assert_events(observe(&old, &seen, CREATED + 60, LATER_POLL), QUIET);
  ck_assert_uint_eq(seen.flags, old.flags);

  tracked_task_t fresh = task_with(TASK_STATUS_PENDING);
  fresh.flags = 0xff;
  assert_events(observe(NULL, &fresh, CREATED + 1, LATER_POLL), QUIET);
  ck_assert_uint_eq(fresh.flags, 0);
}
END_TEST

/* The record after a save and a restart: written with the watch of an
 * account whose task stream was read, read back and adopted by the watch
 * of the restarted plugin. */
static tracked_task_t restarted(const tracked_task_t *before) {
  conf_t conf;
  watch_t w;
  wf_watch(&w, &conf, WF_KEY "Domain \"example.com\"\n");
  wf_cover(&w, before->domain, before->type, CREATED - 60, CREATED + 60);
  bool is_new;
  ck_assert_int_eq(tasktable_put(&w.tasks, before, &is_new), 0);
  char *text = wf_format(&conf.accounts[0], &w, false);
  watch_free(&w);

  statefile_state_t st;
  char why[256] = "";
  ck_assert_msg(wf_parse(&conf.accounts[0], text, &st, why, sizeof(why)) ==
                    STATEFILE_OK,
                "%s", why);
  bool health_failed;
  ck_assert_int_eq(watch_init(&w, &conf.accounts[0]), 0);
  ck_assert_int_eq(statefile_adopt(&st, &w, &health_failed), 0);
  const tracked_task_t *loaded = tasktable_get(&w.tasks, before->id);
  ck_assert_ptr_nonnull(loaded);
  tracked_task_t out = *loaded;
  statefile_state_free(&st);
  watch_free(&w);
  conf_free(&conf);
  free(text);
  return out;
}

/* The plugin restarts: the kept record comes back from the state file with
 * the same flags. */
static void restart(void) {
  tracked_task_t loaded = restarted(&task);
  ck_assert_uint_eq(loaded.flags, task.flags);
  task = loaded;
}

START_TEST(a_restarted_plugin_does_not_announce_a_failure_again) {
  sight(TASK_STATUS_FAILED, 60, LATER_POLL, FAILED | NOTIFY_FAILED);
  restart();
  sight(TASK_STATUS_FAILED, 120, LATER_POLL, QUIET);
}
END_TEST

START_TEST(a_restarted_plugin_does_not_warn_again_and_still_recovers) {
  sight(TASK_STATUS_REFRESHING, 1000, LATER_POLL, NOTIFY_STUCK);
  restart();
  ck_assert_uint_eq(task.flags, LIFECYCLE_STUCK);
  sight(TASK_STATUS_REFRESHING, 1100, LATER_POLL, QUIET);
  restart();
  sight(TASK_STATUS_COMPLETE, 1200, LATER_POLL,
        COMPLETED | HAS_COMPLETION | NOTIFY_RECOVERED);
}
END_TEST

START_TEST(a_restarted_plugin_does_not_count_a_completion_again) {
  sight(TASK_STATUS_COMPLETE, 60, LATER_POLL, COMPLETED | HAS_COMPLETION);
  restart();
  sight(TASK_STATUS_COMPLETE, 120, FIRST_LOAD, QUIET);
}
END_TEST

START_TEST(a_stuck_warning_held_back_leaves_the_task_to_warn_later) {
  warns_stuck = false;
  sight(TASK_STATUS_REFRESHING, 1000, LATER_POLL, QUIET);
  ck_assert_uint_eq(task.flags, 0);
  restart();
  sight(TASK_STATUS_REFRESHING, 1060, LATER_POLL, QUIET);
  /* The next configuration warns: the warning is due then, once. */
  warns_stuck = true;
  sight(TASK_STATUS_REFRESHING, 1120, LATER_POLL, NOTIFY_STUCK);
  ck_assert_uint_eq(task.flags, LIFECYCLE_STUCK);
  sight(TASK_STATUS_COMPLETE, 1180, LATER_POLL,
        COMPLETED | HAS_COMPLETION | NOTIFY_RECOVERED);
}
END_TEST

START_TEST(a_task_never_warned_about_as_stuck_completes_without_an_okay) {
  warns_stuck = false;
  sight(TASK_STATUS_REFRESHING, 1000, LATER_POLL, QUIET);
  warns_stuck = true;
  sight(TASK_STATUS_COMPLETE, 1060, LATER_POLL, COMPLETED | HAS_COMPLETION);
}
END_TEST

/* Through the watch: the account's Notify decides whether the stuck
 * WARNING goes out, and a task is marked warned about only then. */
static const tracked_task_t *stuck_through_the_watch(watch_t *w,
                                                     bool warning_due) {
  task_t t = wf_task("704225667", "http://example.com/a.js", TASK_TYPE_FILE,
                     TASK_STATUS_REFRESHING, WF_NOW - 2000);
  watch_seen_t seen;
  watch_observe(w, &t, WF_NOW, &seen);
  ck_assert_int_eq(seen.verdict, WATCH_TRACKED);
  ck_assert(seen.events.notify_stuck == warning_due);
  const tracked_task_t *kept = tasktable_get(&w->tasks, 704225667);
  ck_assert_ptr_nonnull(kept);
  ck_assert_uint_eq(kept->flags & LIFECYCLE_STUCK,
                    warning_due ? LIFECYCLE_STUCK : 0);
  return kept;
}

START_TEST(a_stuck_task_whose_warning_notify_holds_back_is_not_marked) {
  conf_t conf;
  watch_t w;
  wf_watch(&w, &conf, WF_KEY "Notify \"failed\"\nDomain \"example.com\"\n");
  stuck_through_the_watch(&w, false);
  /* The state saved now, read by a configuration that warns: it warns. */
  tracked_task_t kept = restarted(tasktable_get(&w.tasks, 704225667));
  ck_assert_uint_eq(kept.flags & LIFECYCLE_STUCK, 0);
  watch_free(&w);
  conf_free(&conf);

  wf_watch(&w, &conf, WF_KEY "Domain \"example.com\"\n");
  bool is_new;
  ck_assert_int_eq(tasktable_put(&w.tasks, &kept, &is_new), 0);
  stuck_through_the_watch(&w, true);
  watch_free(&w);
  conf_free(&conf);
}
END_TEST

START_TEST(a_process_that_does_not_notify_marks_no_task_stuck) {
  conf_t conf;
  watch_t w;
  wf_watch(&w, &conf, WF_KEY "Domain \"example.com\"\n");
  w.muted = true; /* collectd -T while the daemon holds the state */
  stuck_through_the_watch(&w, false);
  w.muted = false; /* the lock was let go: this process notifies */
  stuck_through_the_watch(&w, true);
  watch_free(&w);
  conf_free(&conf);
}
END_TEST

static const unit_case_t test_case = {.setup = forget_the_task};

int main(void) {
  const TTest *const tests[] = {
      a_new_task_seen_complete_counts_with_its_completion_time,
      a_completion_time_is_never_negative_when_clocks_disagree,
      a_task_already_complete_in_history_counts_without_a_time,
      a_task_seen_in_flight_then_complete_gives_a_completion_time,
      a_pending_task_then_complete_even_during_first_load_has_a_time,
      a_complete_task_seen_twice_is_counted_once,
      a_task_in_flight_is_neither_counted_nor_announced,
      a_new_failed_task_is_counted_and_announced,
      a_failure_found_in_history_is_counted_and_never_announced,
      a_task_that_fails_in_flight_is_announced_once,
      a_task_in_flight_that_fails_during_first_load_is_announced,
      a_task_in_flight_exactly_stuck_after_seconds_is_not_stuck_yet,
      a_task_in_flight_longer_than_stuck_after_is_warned_about_once,
      a_stuck_task_that_completes_recovers_once,
      a_stuck_task_that_fails_is_announced_failed_not_recovered,
      a_task_already_stuck_when_first_read_is_warned_about,
      a_complete_task_that_was_never_stuck_does_not_recover,
      the_flags_come_from_the_old_record_not_the_new_sighting,
      a_restarted_plugin_does_not_announce_a_failure_again,
      a_restarted_plugin_does_not_warn_again_and_still_recovers,
      a_restarted_plugin_does_not_count_a_completion_again,
      a_stuck_warning_held_back_leaves_the_task_to_warn_later,
      a_task_never_warned_about_as_stuck_completes_without_an_okay,
      a_stuck_task_whose_warning_notify_holds_back_is_not_marked,
      a_process_that_does_not_notify_marks_no_task_stuck,
  };
  return unit_main("lifecycle", tests, N_OF(tests), &test_case);
}
