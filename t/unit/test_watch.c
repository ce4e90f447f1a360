/* The watch, account mode: what a task's sighting means (tracked or
 * dropped, news or history), which account-wide window a poll reads and
 * how it refreshes the tasks in flight, what a finished window covers,
 * what a clock stepped back does, and what expires. Domain mode and
 * failures are in test_watch_domain.c. */
#include "core/plan.h"
#include "core/watch.h"
#include "watch_fixture.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW WF_NOW
#define HOUR 3600

/* Domains a and b, every type; the default Lookback of an hour. */
#define TWO_DOMAINS                                                            \
  WF_KEY "QueryMode \"account\"\nDomain \"a.example.com\" \"b.example.com\"\n"
/* Domain a reports files only. */
#define FILES_OF_A                                                             \
  WF_KEY "QueryMode \"account\"\n"                                             \
         "<Domain \"a.example.com\">\n  ObjectType \"file\"\n</Domain>\n"
#define EVERY_DOMAIN WF_KEY "QueryMode \"account\"\nDomain \"*\"\n"

static conf_t conf;
static watch_t w;

static void teardown(void) {
  watch_free(&w);
  conf_free(&conf);
}

/* What the watch made of one task of an answer. */
static watch_seen_t observe(const char *id, const char *path, task_type_t type,
                            task_status_t status, time_t created) {
  task_t t = wf_task(id, path, type, status, created);
  watch_seen_t seen;
  memset(&seen, 0xa5, sizeof(seen)); /* garbage it has to overwrite */
  watch_observe(&w, &t, NOW, &seen);
  return seen;
}

static watch_verdict_t verdict_of(const char *id, const char *path,
                                  task_type_t type, task_status_t status) {
  return observe(id, path, type, status, NOW - 60).verdict;
}

/* A failed task seen for the first time, created then: whether it is
 * news (notified) rather than history (counted only). */
static bool failure_is_news(const char *path, time_t created) {
  static unsigned next_id = 1000;
  char id[16];
  snprintf(id, sizeof(id), "%u", next_id++);
  watch_seen_t seen =
      observe(id, path, TASK_TYPE_FILE, TASK_STATUS_FAILED, created);
  ck_assert_int_eq(seen.verdict, WATCH_TRACKED);
  ck_assert(seen.events.failed);
  return seen.events.notify_failed;
}

/* ---- a task's sighting ---- */

START_TEST(a_task_whose_id_is_not_a_number_is_not_tracked) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  static const char *const ids[] = {"",   "abc", "0",
                                    "-1", "1 2", "12345678901234567890"};
  for (size_t i = 0; i < N_OF(ids); i++)
    ck_assert_int_eq(verdict_of(ids[i], "http://a.example.com/x",
                                TASK_TYPE_FILE, TASK_STATUS_COMPLETE),
                     WATCH_BAD_TASK_ID);
  ck_assert_uint_eq(w.tasks.count, 0);
}
END_TEST

START_TEST(a_task_whose_path_has_no_host_is_not_tracked) {
  wf_watch(&w, &conf, EVERY_DOMAIN);
  char long_host[200];
  memset(long_host, 'h', sizeof(long_host) - 1);
  long_host[sizeof(long_host) - 1] = '\0';
  const char *const paths[] = {"", "/index.html", "http:///x", long_host};
  for (size_t i = 0; i < N_OF(paths); i++)
    ck_assert_int_eq(
        verdict_of("1", paths[i], TASK_TYPE_FILE, TASK_STATUS_COMPLETE),
        WATCH_BAD_HOST);
  ck_assert_uint_eq(w.tasks.count, 0);
  ck_assert_uint_eq(w.domains.count, 0);
}
END_TEST

START_TEST(a_task_of_an_unknown_type_or_status_is_dropped) {
  wf_watch(&w, &conf, EVERY_DOMAIN);
  ck_assert_int_eq(verdict_of("1", "http://a.example.com/x", TASK_TYPE_UNKNOWN,
                              TASK_STATUS_COMPLETE),
                   WATCH_NOT_REPORTED);
  ck_assert_int_eq(verdict_of("2", "http://a.example.com/x", TASK_TYPE_FILE,
                              TASK_STATUS_UNKNOWN),
                   WATCH_NOT_REPORTED);
  /* Nor does Domain "*" take its host. */
  ck_assert_uint_eq(w.domains.count, 0);
  ck_assert_uint_eq(w.tasks.count, 0);
}
END_TEST

START_TEST(a_task_of_a_domain_or_type_nobody_reports_is_dropped) {
  wf_watch(&w, &conf, FILES_OF_A);
  ck_assert_int_eq(verdict_of("1", "http://other.example.com/x", TASK_TYPE_FILE,
                              TASK_STATUS_FAILED),
                   WATCH_NOT_REPORTED);
  ck_assert_int_eq(verdict_of("2", "http://a.example.com/x", TASK_TYPE_PRELOAD,
                              TASK_STATUS_FAILED),
                   WATCH_NOT_REPORTED);
  ck_assert_uint_eq(w.tasks.count, 0);
  ck_assert_uint_eq(w.domains.count, 1);
  ck_assert_ptr_null(lifetime_get(&w.lifetime, 0, TASK_TYPE_PRELOAD));
}
END_TEST

START_TEST(a_reported_task_is_tracked_under_its_domain) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  watch_seen_t seen =
      observe("704225667", "https://B.Example.COM:8443/a?b", TASK_TYPE_PRELOAD,
              TASK_STATUS_REFRESHING, NOW - 100);
  ck_assert_int_eq(seen.verdict, WATCH_TRACKED);
  ck_assert_uint_eq(seen.domain, wf_domain(&w, "b.example.com"));
  const tracked_task_t *t = tasktable_get(&w.tasks, 704225667);
  ck_assert_ptr_nonnull(t);
  ck_assert_uint_eq(t->domain, seen.domain);
  ck_assert_int_eq(t->created, NOW - 100);
  ck_assert_uint_eq(t->type, TASK_TYPE_PRELOAD);
  ck_assert_uint_eq(t->status, TASK_STATUS_REFRESHING);
  ck_assert_uint_eq(w.window_new_tasks, 1);
  /* Seen again, it is the same task. */
  observe("704225667", "https://b.example.com/a", TASK_TYPE_PRELOAD,
          TASK_STATUS_COMPLETE, NOW - 100);
  ck_assert_uint_eq(w.tasks.count, 1);
  ck_assert_uint_eq(w.window_new_tasks, 1);
  ck_assert_uint_eq(
      lifetime_get(&w.lifetime, seen.domain, TASK_TYPE_PRELOAD)->completed, 1);
}
END_TEST

/* ---- news or history ---- */

START_TEST(the_failures_a_stream_shows_when_first_read_are_history) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  ck_assert(!failure_is_news("a.example.com/x", NOW - 60));
}
END_TEST

START_TEST(a_new_failure_on_a_stream_already_read_is_news) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  wf_cover(&w, 0, TASK_TYPE_FILE, NOW - HOUR, NOW - 60);
  ck_assert(failure_is_news("a.example.com/x", NOW - 30));
  /* Created inside what was read, first seen now (the API was late): it
   * was not there when the stream was read, so it is news too. */
  ck_assert(failure_is_news("a.example.com/y", NOW - 1800));
  ck_assert(failure_is_news("a.example.com/z", NOW - HOUR));
}
END_TEST

START_TEST(a_task_older_than_what_the_stream_was_read_over_is_history) {
  /* Read over the last 10 minutes only: an older failure, seen now that
   * the Lookback reaches further, happened before anyone watched. */
  wf_watch(&w, &conf, TWO_DOMAINS);
  wf_cover(&w, 0, TASK_TYPE_FILE, NOW - 600, NOW - 60);
  ck_assert(!failure_is_news("a.example.com/x", NOW - 601));
}
END_TEST

START_TEST(a_task_seen_in_flight_that_fails_is_news_whatever_its_age) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  ck_assert_int_eq(observe("7", "a.example.com/x", TASK_TYPE_FILE,
                           TASK_STATUS_PENDING, NOW - 3000)
                       .verdict,
                   WATCH_TRACKED);
  watch_seen_t seen = observe("7", "a.example.com/x", TASK_TYPE_FILE,
                              TASK_STATUS_FAILED, NOW - 3000);
  ck_assert(seen.events.failed && seen.events.notify_failed);
}
END_TEST

/* ---- Domain "*" ---- */

START_TEST(a_domain_found_by_domain_star_starts_with_the_wildcard_coverage) {
  wf_watch(&w, &conf, EVERY_DOMAIN);
  w.streams.wildcard[TASK_TYPE_FILE].covered_from = NOW - HOUR / 2;
  w.streams.wildcard[TASK_TYPE_FILE].covered_until = NOW - 60;
  /* The account was read and this domain had no task then: its failure
   * is news; one older than the reading (inside the Lookback) is
   * history. */
  ck_assert(failure_is_news("http://new.example.com/x", NOW - 30));
  ck_assert(!failure_is_news("http://new.example.com/y", NOW - HOUR / 2 - 1));
  uint32_t d = wf_domain(&w, "new.example.com");
  ck_assert_int_eq(watch_covered(&w, d, TASK_TYPE_FILE), NOW - 60);
  ck_assert_int_eq(streams_get(&w.streams, d, TASK_TYPE_FILE)->covered_from,
                   NOW - HOUR / 2);
  ck_assert_int_eq(watch_covered(&w, d, TASK_TYPE_REGEX), 0);
}
END_TEST

START_TEST(a_new_task_older_than_the_lookback_is_not_counted) {
  /* A re-scan reaching back for a task in flight meets it; a cold start
   * would not see it. */
  wf_watch(&w, &conf, TWO_DOMAINS);
  ck_assert_int_eq(verdict_of("77", "http://a.example.com/x", TASK_TYPE_FILE,
                              TASK_STATUS_COMPLETE),
                   WATCH_TRACKED);
  ck_assert_int_eq(observe("78", "http://a.example.com/y", TASK_TYPE_FILE,
                           TASK_STATUS_COMPLETE, NOW - HOUR - 1)
                       .verdict,
                   WATCH_TOO_OLD);
}
END_TEST

START_TEST(before_the_account_was_read_a_found_domains_failures_are_history) {
  wf_watch(&w, &conf, EVERY_DOMAIN);
  ck_assert(!failure_is_news("http://new.example.com/x", NOW - 30));
  ck_assert_uint_eq(w.domains.count, 1);
}
END_TEST

START_TEST(domain_star_adds_no_domain_once_in_domain_mode) {
  wf_watch(&w, &conf,
           WF_KEY "QueryMode \"auto\"\nDomain \"*\" \"a.example.com\"\n");
  ck_assert_int_eq(watch_on_failure(&w, WATCH_CALL_ACCOUNT_LIST, NULL,
                                    "Forbidden.RAM", 403, NULL),
                   WATCH_FAIL_SWITCH);
  ck_assert_int_eq(verdict_of("1", "http://new.example.com/x", TASK_TYPE_FILE,
                              TASK_STATUS_FAILED),
                   WATCH_NOT_REPORTED);
  ck_assert_uint_eq(w.domains.count, 1);
  ck_assert_int_eq(verdict_of("2", "http://a.example.com/x", TASK_TYPE_FILE,
                              TASK_STATUS_FAILED),
                   WATCH_TRACKED);
}
END_TEST

/* ---- the account-wide window ---- */

static void begin_window(time_t now, time_t start, time_t end) {
  ck_assert_int_eq(watch_account_begin(&w, now), 1);
  ck_assert(w.scan.scanning);
  ck_assert_int_eq(w.scan.window.start, start);
  ck_assert_int_eq(w.scan.window.end, end);
}

START_TEST(a_cold_account_is_read_from_the_oldest_start_to_now) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  begin_window(NOW, NOW - HOUR, NOW);
  ck_assert_int_eq(w.scan.window.page, 1);
}
END_TEST

START_TEST(a_read_account_goes_on_from_a_little_before_its_coverage_ends) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  wf_cover_all(&w, NOW - 2 * HOUR, NOW - 60);
  begin_window(NOW, NOW - 60 - PLAN_OVERLAP, NOW);
}
END_TEST

START_TEST(the_window_starts_where_the_stalest_stream_needs_it) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  wf_cover_all(&w, NOW - 2 * HOUR, NOW - 60);
  wf_cover(&w, 1, TASK_TYPE_REGEX, NOW - 2 * HOUR, NOW - 600);
  begin_window(NOW, NOW - 600 - PLAN_OVERLAP, NOW);
}
END_TEST

START_TEST(a_newly_added_domain_takes_the_window_back_to_the_oldest_start) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
    wf_cover(&w, 0, t, NOW - 2 * HOUR, NOW - 60);
  begin_window(NOW, NOW - HOUR, NOW);
}
END_TEST

START_TEST(a_newly_reported_type_takes_the_window_back_to_the_oldest_start) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  wf_cover_all(&w, NOW - 2 * HOUR, NOW - 60);
  streams_at(&w.streams, 1, TASK_TYPE_PRELOAD)->covered_until = 0;
  begin_window(NOW, NOW - HOUR, NOW);
}
END_TEST

START_TEST(a_raised_lookback_takes_the_window_back_to_its_oldest_start) {
  wf_watch(&w, &conf, TWO_DOMAINS "Lookback 7200\n");
  wf_cover_all(&w, NOW - HOUR, NOW - 60);
  ck_assert(!watch_ready(&w, 0, TASK_TYPE_FILE, NOW));
  begin_window(NOW, NOW - 7200, NOW);
}
END_TEST

START_TEST(an_account_read_up_to_now_has_no_window) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  wf_cover_all(&w, NOW - HOUR, NOW);
  ck_assert_int_eq(watch_account_begin(&w, NOW), 0);
  ck_assert(!w.scan.scanning);
  begin_window(NOW + 1, NOW - PLAN_OVERLAP, NOW + 1);
}
END_TEST

START_TEST(a_window_a_page_of_which_was_read_is_resumed_as_it_was) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  begin_window(NOW, NOW - HOUR, NOW);
  ck_assert(plan_window_advance(&w.scan.window, 120, PLAN_PAGE_SIZE));
  /* The budget ran out; the next interval goes on with page 2. */
  begin_window(NOW + 60, NOW - HOUR, NOW);
  ck_assert_int_eq(w.scan.window.page, 2);
  ck_assert_int_eq(w.scan.window.last_page, 3);
}
END_TEST

START_TEST(a_window_never_read_begins_again_ending_at_the_new_now) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  begin_window(NOW, NOW - HOUR, NOW);
  begin_window(NOW + 60, NOW + 60 - HOUR, NOW + 60);
  ck_assert_int_eq(w.scan.window.page, 1);
}
END_TEST

START_TEST(a_finished_window_covers_every_reported_stream) {
  wf_watch(&w, &conf, FILES_OF_A);
  uint32_t gone = domtab_add_dormant(&w.domains, "gone.example.com");
  begin_window(NOW, NOW - HOUR, NOW);
  watch_account_done(&w);
  ck_assert(!w.scan.scanning);
  ck_assert(watch_ready(&w, 0, TASK_TYPE_FILE, NOW));
  ck_assert_int_eq(watch_covered(&w, 0, TASK_TYPE_FILE), NOW);
  ck_assert_int_eq(watch_covered(&w, 0, TASK_TYPE_PRELOAD), 0);
  ck_assert_int_eq(watch_covered(&w, gone, TASK_TYPE_FILE), 0);
  ck_assert_int_eq(watch_account_begin(&w, NOW), 0);
}
END_TEST

START_TEST(a_finished_window_covers_the_wildcard_streams_and_found_domains) {
  wf_watch(&w, &conf,
           WF_KEY "QueryMode \"account\"\n"
                  "<Domain \"*\">\n  ObjectType \"file\"\n</Domain>\n");
  ck_assert(!watch_wildcard_ready(&w, NOW));
  begin_window(NOW, NOW - HOUR, NOW);
  observe("1", "found.example.com/x", TASK_TYPE_FILE, TASK_STATUS_COMPLETE,
          NOW - 60);
  watch_account_done(&w);
  ck_assert(watch_wildcard_ready(&w, NOW));
  ck_assert_int_eq(watch_wildcard_covered(&w), NOW);
  ck_assert_int_eq(w.streams.wildcard[TASK_TYPE_PRELOAD].covered_until, 0);
  uint32_t d = wf_domain(&w, "found.example.com");
  ck_assert(watch_ready(&w, d, TASK_TYPE_FILE, NOW));
  ck_assert_int_eq(watch_covered(&w, d, TASK_TYPE_PRELOAD), 0);
}
END_TEST

/* ---- tasks in flight the window does not reach ---- */

/* Every stream read up to a minute ago: the next window starts at
 * NOW - 90; n tasks in flight from `oldest` on, one a second, and
 * `finished` finished tasks between them and the window. */
static void in_flight_before_the_window(size_t n, time_t oldest,
                                        size_t finished) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  wf_cover_all(&w, NOW - 2 * HOUR, NOW - 60);
  for (size_t i = 0; i < n; i++)
    wf_put(&w, 100 + i, oldest + (time_t)i, 0, TASK_TYPE_FILE,
           TASK_STATUS_REFRESHING, 0);
  for (size_t i = 0; i < finished; i++)
    wf_put(&w, 100000 + i, oldest + (time_t)i, 1, TASK_TYPE_FILE,
           TASK_STATUS_COMPLETE, LIFECYCLE_COUNTED);
}

START_TEST(a_few_tasks_in_flight_among_few_known_are_read_again_by_the_window) {
  in_flight_before_the_window(1, NOW - 5000, 0);
  begin_window(NOW, NOW - 5000, NOW);
  ck_assert(plan_idqueue_empty(&w.by_id));
}
END_TEST

START_TEST(tasks_in_flight_over_a_busy_range_are_looked_up_by_id) {
  in_flight_before_the_window(25, NOW - 5000, 2000);
  begin_window(NOW, NOW - 60 - PLAN_OVERLAP, NOW);
  ck_assert_uint_eq(w.by_id.count, 25);
  /* Queued once: the batch is worked off before more are queued. */
  watch_account_done(&w);
  begin_window(NOW + 60, NOW - PLAN_OVERLAP, NOW + 60);
  ck_assert_uint_eq(w.by_id.count, 25);
}
END_TEST

START_TEST(when_the_key_may_not_look_tasks_up_the_window_reaches_back) {
  in_flight_before_the_window(25, NOW - 5000, 2000);
  w.byid_refused = true;
  begin_window(NOW, NOW - 5000, NOW);
  ck_assert(plan_idqueue_empty(&w.by_id));
}
END_TEST

START_TEST(tasks_past_the_apis_three_days_are_looked_up_even_on_a_rescan) {
  in_flight_before_the_window(1, NOW - 5000, 0);
  time_t old = plan_scan_oldest(NOW) - 100;
  ck_assert_int_ge(old, plan_keep_oldest(NOW));
  wf_put(&w, 42, old, 0, TASK_TYPE_REGEX, TASK_STATUS_PENDING, 0);
  begin_window(NOW, plan_scan_oldest(NOW), NOW);
  ck_assert_uint_eq(w.by_id.count, 1);
  ck_assert_uint_eq(w.by_id.ids[0], 42);
}
END_TEST

START_TEST(tasks_in_flight_of_streams_not_reported_are_never_refreshed) {
  wf_watch(&w, &conf, FILES_OF_A);
  uint32_t gone = domtab_add_dormant(&w.domains, "gone.example.com");
  wf_cover_all(&w, NOW - 2 * HOUR, NOW - 60);
  wf_put(&w, 1, NOW - 5000, gone, TASK_TYPE_FILE, TASK_STATUS_PENDING, 0);
  wf_put(&w, 2, NOW - 5000, 0, TASK_TYPE_PRELOAD, TASK_STATUS_PENDING, 0);
  begin_window(NOW, NOW - 60 - PLAN_OVERLAP, NOW);
  ck_assert(plan_idqueue_empty(&w.by_id));
}
END_TEST

/* ---- a clock stepped back ---- */

START_TEST(a_coverage_ahead_of_now_is_cut_back_to_now) {
  /* A state file from a host whose clock was ten minutes ahead. */
  wf_watch(&w, &conf, EVERY_DOMAIN);
  observe("1", "a.example.com/x", TASK_TYPE_FILE, TASK_STATUS_COMPLETE,
          NOW - 60);
  wf_cover_all(&w, NOW - 2 * HOUR, NOW + 600);
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
    w.streams.wildcard[t] = *streams_get(&w.streams, 0, t);
  watch_begin_poll(&w, NOW);
  /* So that staleness, now - covered, is never negative. */
  ck_assert_int_eq(watch_covered(&w, 0, TASK_TYPE_FILE), NOW);
  ck_assert_int_eq(watch_wildcard_covered(&w), NOW);
  ck_assert(watch_ready(&w, 0, TASK_TYPE_FILE, NOW));
  /* And the next window starts no later than now. */
  ck_assert_int_eq(watch_account_begin(&w, NOW), 0);
  begin_window(NOW + 1, NOW - PLAN_OVERLAP, NOW + 1);
}
END_TEST

START_TEST(a_coverage_that_starts_after_now_is_forgotten) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  wf_cover_all(&w, NOW + 100, NOW + 600);
  watch_begin_poll(&w, NOW);
  ck_assert_int_eq(watch_covered(&w, 0, TASK_TYPE_FILE), 0);
  ck_assert(!watch_ready(&w, 0, TASK_TYPE_FILE, NOW));
  begin_window(NOW, NOW - HOUR, NOW);
}
END_TEST

START_TEST(a_window_ending_after_now_is_dropped) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  begin_window(NOW + 600, NOW + 600 - HOUR, NOW + 600);
  ck_assert(plan_window_advance(&w.scan.window, 120, PLAN_PAGE_SIZE));
  watch_begin_poll(&w, NOW);
  ck_assert(!w.scan.scanning);
  begin_window(NOW, NOW - HOUR, NOW);
}
END_TEST

/* ---- expiry ---- */

START_TEST(finished_tasks_expire_with_the_lookback_those_in_flight_later) {
  wf_watch(&w, &conf, TWO_DOMAINS);
  wf_put(&w, 1, NOW - HOUR, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 1);
  wf_put(&w, 2, NOW - HOUR - 1, 0, TASK_TYPE_FILE, TASK_STATUS_FAILED, 3);
  wf_put(&w, 3, NOW - 2 * HOUR, 0, TASK_TYPE_FILE, TASK_STATUS_PENDING, 0);
  wf_put(&w, 4, plan_keep_oldest(NOW), 0, TASK_TYPE_FILE,
         TASK_STATUS_REFRESHING, 4);
  wf_put(&w, 5, plan_keep_oldest(NOW) - 1, 0, TASK_TYPE_FILE,
         TASK_STATUS_REFRESHING, 4);
  watch_expire(&w, NOW);
  ck_assert_ptr_nonnull(tasktable_get(&w.tasks, 1));
  ck_assert_ptr_null(tasktable_get(&w.tasks, 2));
  ck_assert_ptr_nonnull(tasktable_get(&w.tasks, 3));
  ck_assert_ptr_nonnull(tasktable_get(&w.tasks, 4));
  ck_assert_ptr_null(tasktable_get(&w.tasks, 5));
  ck_assert_uint_eq(w.tasks.count, 3);
}
END_TEST

static const unit_case_t test_case = {.teardown = teardown};

/* Moves the watch into one of a new configuration through its state file,
 * as a restart would. */
static void restart_with(const char *body, time_t now) {
  char *text = wf_format(&conf.accounts[0], &w, false);
  watch_free(&w);
  conf_free(&conf);
  wf_watch(&w, &conf, body);
  statefile_state_t st;
  char why[256];
  ck_assert_int_eq(wf_parse(&conf.accounts[0], text, &st, why, sizeof(why)),
                   STATEFILE_OK);
  bool failed;
  ck_assert_int_eq(statefile_adopt(&st, &w, &failed), 0);
  statefile_state_free(&st);
  free(text);
  watch_begin_poll(&w, now);
}

START_TEST(a_lookback_lowered_then_raised_counts_and_tells_nothing_twice) {
  wf_watch(&w, &conf, FILES_OF_A "Lookback 3600\n");
  uint32_t a = wf_domain(&w, "a.example.com");
  plan_cursor_cover(streams_at(&w.streams, a, TASK_TYPE_FILE), NOW - HOUR,
                    NOW - 60);
  watch_seen_t seen = observe("500", "http://a.example.com/x", TASK_TYPE_FILE,
                              TASK_STATUS_FAILED, NOW - 1000);
  ck_assert(seen.events.failed && seen.events.notify_failed);
  /* Lookback 600: the task leaves, and so does what is known of its time. */
  restart_with(FILES_OF_A "Lookback 600\n", NOW);
  watch_expire(&w, NOW);
  ck_assert_uint_eq(w.tasks.count, 0);
  ck_assert(watch_ready(&w, a, TASK_TYPE_FILE, NOW));
  /* Lookback 7200: the older history is read again, as on a cold start,
   * but what was counted and told then is not again. */
  restart_with(FILES_OF_A "Lookback 7200\n", NOW);
  ck_assert(!watch_ready(&w, a, TASK_TYPE_FILE, NOW));
  seen = observe("500", "http://a.example.com/x", TASK_TYPE_FILE,
                 TASK_STATUS_FAILED, NOW - 1000);
  ck_assert_int_eq(seen.verdict, WATCH_TRACKED);
  ck_assert(!seen.events.failed && !seen.events.notify_failed);
  /* A task never seen, older than anything watched, is history. */
  seen = observe("501", "http://a.example.com/y", TASK_TYPE_FILE,
                 TASK_STATUS_FAILED, NOW - 5000);
  ck_assert(seen.events.failed && !seen.events.notify_failed);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_lookback_lowered_then_raised_counts_and_tells_nothing_twice,
      a_task_whose_id_is_not_a_number_is_not_tracked,
      a_task_whose_path_has_no_host_is_not_tracked,
      a_task_of_an_unknown_type_or_status_is_dropped,
      a_task_of_a_domain_or_type_nobody_reports_is_dropped,
      a_reported_task_is_tracked_under_its_domain,
      the_failures_a_stream_shows_when_first_read_are_history,
      a_new_failure_on_a_stream_already_read_is_news,
      a_task_older_than_what_the_stream_was_read_over_is_history,
      a_task_seen_in_flight_that_fails_is_news_whatever_its_age,
      a_domain_found_by_domain_star_starts_with_the_wildcard_coverage,
      a_new_task_older_than_the_lookback_is_not_counted,
      before_the_account_was_read_a_found_domains_failures_are_history,
      domain_star_adds_no_domain_once_in_domain_mode,
      a_cold_account_is_read_from_the_oldest_start_to_now,
      a_read_account_goes_on_from_a_little_before_its_coverage_ends,
      the_window_starts_where_the_stalest_stream_needs_it,
      a_newly_added_domain_takes_the_window_back_to_the_oldest_start,
      a_newly_reported_type_takes_the_window_back_to_the_oldest_start,
      a_raised_lookback_takes_the_window_back_to_its_oldest_start,
      an_account_read_up_to_now_has_no_window,
      a_window_a_page_of_which_was_read_is_resumed_as_it_was,
      a_window_never_read_begins_again_ending_at_the_new_now,
      a_finished_window_covers_every_reported_stream,
      a_finished_window_covers_the_wildcard_streams_and_found_domains,
      a_few_tasks_in_flight_among_few_known_are_read_again_by_the_window,
      tasks_in_flight_over_a_busy_range_are_looked_up_by_id,
      when_the_key_may_not_look_tasks_up_the_window_reaches_back,
      tasks_past_the_apis_three_days_are_looked_up_even_on_a_rescan,
      tasks_in_flight_of_streams_not_reported_are_never_refreshed,
      a_coverage_ahead_of_now_is_cut_back_to_now,
      a_coverage_that_starts_after_now_is_forgotten,
      a_window_ending_after_now_is_dropped,
      finished_tasks_expire_with_the_lookback_those_in_flight_later,
  };
  return unit_main("watch", tests, N_OF(tests), &test_case);
}
