/* A stream's cursor: what it knows (covered_from..covered_until), when
 * it is ready, where its next window starts and how far back it reaches,
 * what a window read covers, what is history, and how windows stay inside
 * the API's three days and before now. */
#include "core/plan.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <time.h>

/* 2024-05-06T07:08:09Z */
#define NOW ((time_t)1714979289)
#define HOUR 3600

static void assert_window(plan_window_t w, time_t start, time_t end, long page,
                          long last_page) {
  ck_assert_int_eq(w.start, start);
  ck_assert_int_eq(w.end, end);
  ck_assert_int_eq(w.page, page);
  ck_assert_int_eq(w.last_page, last_page);
}

/* A cursor that has begun its first window, an hour back from NOW. */
static plan_cursor_t begun_cursor(void) {
  plan_cursor_t c = {0};
  ck_assert(plan_cursor_begin(&c, NOW, 3600, 0, PLAN_PAGE_SIZE));
  return c;
}

/* A cursor whose first window, up to NOW, is done. */
static plan_cursor_t finished_cursor(void) {
  plan_cursor_t c = begun_cursor();
  plan_cursor_finish(&c);
  return c;
}

START_TEST(a_cold_cursor_scans_from_the_oldest_start_to_now) {
  plan_cursor_t c = {0};
  ck_assert_int_eq(plan_next_start(&c, NOW, 3600), NOW - 3600);
  ck_assert(plan_cursor_begin(&c, NOW, 3600, 0, PLAN_PAGE_SIZE));
  ck_assert(c.scanning);
  ck_assert_int_eq(c.covered_until, 0);
  assert_window(c.window, NOW - 3600, NOW, 1, 0);
}
END_TEST

START_TEST(a_cold_cursor_with_a_long_lookback_keeps_clear_of_the_edge) {
  plan_cursor_t c = {0};
  ck_assert(plan_cursor_begin(&c, NOW, 259200, 0, PLAN_PAGE_SIZE));
  assert_window(c.window, NOW - PLAN_HISTORY + PLAN_HISTORY_MARGIN, NOW, 1, 0);
}
END_TEST

START_TEST(a_finished_window_covers_the_cursor_up_to_its_end) {
  plan_cursor_t c = begun_cursor();
  ck_assert(!plan_window_advance(&c.window, 7, PLAN_PAGE_SIZE));
  plan_cursor_finish(&c);
  ck_assert(!c.scanning);
  ck_assert_int_eq(c.covered_until, NOW);
}
END_TEST

START_TEST(the_next_window_overlaps_the_last_and_ends_at_the_new_now) {
  plan_cursor_t c = finished_cursor();
  ck_assert_int_eq(plan_next_start(&c, NOW + 60, 3600), NOW - PLAN_OVERLAP);
  ck_assert(plan_cursor_begin(&c, NOW + 60, 3600, 0, PLAN_PAGE_SIZE));
  ck_assert(c.scanning);
  assert_window(c.window, NOW - PLAN_OVERLAP, NOW + 60, 1, 0);
}
END_TEST

START_TEST(after_a_long_pause_the_next_window_starts_at_the_oldest_start) {
  plan_cursor_t c = finished_cursor();
  ck_assert(plan_cursor_begin(&c, NOW + 7200, 3600, 0, PLAN_PAGE_SIZE));
  assert_window(c.window, NOW + 7200 - 3600, NOW + 7200, 1, 0);
}
END_TEST

START_TEST(begin_is_a_no_op_while_a_window_is_being_scanned) {
  plan_cursor_t c = begun_cursor();
  ck_assert(plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  assert_window(c.window, NOW - 3600, NOW, 2, 3);
  /* The budget ran out; the next interval resumes the same window. */
  ck_assert(plan_cursor_begin(&c, NOW + 60, 3600, NOW - 7000, PLAN_PAGE_SIZE));
  ck_assert(c.scanning);
  assert_window(c.window, NOW - 3600, NOW, 2, 3);
}
END_TEST

START_TEST(a_resumed_window_finishes_at_its_fixed_end) {
  plan_cursor_t c = begun_cursor();
  ck_assert(plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  ck_assert(plan_cursor_begin(&c, NOW + 60, 3600, 0, PLAN_PAGE_SIZE));
  ck_assert(plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  ck_assert(!plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  plan_cursor_finish(&c);
  ck_assert_int_eq(c.covered_until, NOW);
  ck_assert(plan_cursor_begin(&c, NOW + 120, 3600, 0, PLAN_PAGE_SIZE));
  assert_window(c.window, NOW - PLAN_OVERLAP, NOW + 120, 1, 0);
}
END_TEST

START_TEST(a_cursor_covered_up_to_now_has_no_window) {
  plan_cursor_t c = finished_cursor();
  ck_assert(!plan_cursor_begin(&c, NOW, 3600, 0, PLAN_PAGE_SIZE));
  ck_assert(!c.scanning);
  /* One second later there is. */
  ck_assert(plan_cursor_begin(&c, NOW + 1, 3600, 0, PLAN_PAGE_SIZE));
  assert_window(c.window, NOW - PLAN_OVERLAP, NOW + 1, 1, 0);
}
END_TEST

START_TEST(a_clock_stepped_back_has_nothing_new_once_the_lookback_is_read) {
  plan_cursor_t c = {.covered_from = NOW - 7200, .covered_until = NOW};
  ck_assert(!plan_cursor_begin(&c, NOW - 10, 3600, NOW - 1000, PLAN_PAGE_SIZE));
  ck_assert(!c.scanning);
  ck_assert_int_eq(c.covered_until, NOW);
  /* Read from exactly an hour before NOW, ten seconds back its Lookback
   * reaches ten seconds further: not ready, so read again. */
  plan_cursor_t hour = finished_cursor();
  ck_assert(!plan_cursor_ready(&hour, NOW - 10, 3600));
  ck_assert(plan_cursor_begin(&hour, NOW - 10, 3600, 0, PLAN_PAGE_SIZE));
  assert_window(hour.window, NOW - 10 - 3600, NOW - 10, 1, 0);
}
END_TEST

/* The window a cursor covered up to NOW begins a minute later, reaching
 * back to extend_back. */
static plan_window_t extended_window(int lookback, time_t extend_back) {
  plan_cursor_t c = {.covered_until = NOW};
  ck_assert(plan_cursor_begin(&c, NOW + 60, lookback, extend_back, PLAN_PAGE_SIZE));
  return c.window;
}

START_TEST(extend_back_starts_the_window_at_an_older_in_flight_task) {
  assert_window(extended_window(3600, NOW - 1000), NOW - 1000, NOW + 60, 1, 0);
}
END_TEST

START_TEST(extend_back_reaches_past_the_lookback_for_tasks_in_flight) {
  /* A task in flight stays counted until the API's three days end, so
   * its refresh may reach further back than the Lookback. */
  assert_window(extended_window(3600, NOW - 100000), NOW - 100000, NOW + 60, 1,
                0);
}
END_TEST

START_TEST(extend_back_never_reaches_past_the_api_history) {
  ck_assert_int_eq(extended_window(259200, NOW - 259200).start,
                   NOW + 60 - PLAN_HISTORY + PLAN_HISTORY_MARGIN);
}
END_TEST

START_TEST(extend_back_later_than_the_next_start_changes_nothing) {
  assert_window(extended_window(3600, NOW), NOW - PLAN_OVERLAP, NOW + 60, 1, 0);
}
END_TEST

START_TEST(extend_back_reaches_back_on_a_cold_cursor_too) {
  /* In flight since before the Lookback, known from a state file. */
  plan_cursor_t c = {0};
  ck_assert(plan_cursor_begin(&c, NOW, 3600, NOW - 5000, PLAN_PAGE_SIZE));
  assert_window(c.window, NOW - 5000, NOW, 1, 0);
}
END_TEST

/* ---- the API's three days ---- */

START_TEST(the_api_answers_for_three_days_less_a_margin) {
  ck_assert_int_eq(plan_scan_oldest(NOW),
                   NOW - PLAN_HISTORY + PLAN_HISTORY_MARGIN);
  ck_assert_int_eq(plan_keep_oldest(NOW), NOW - PLAN_HISTORY);
  ck_assert_int_lt(plan_keep_oldest(NOW), plan_scan_oldest(NOW));
}
END_TEST

/* ---- what a cursor knows ---- */

/* A cursor read completely from `from` to `until`. */
static plan_cursor_t covered(time_t from, time_t until) {
  return (plan_cursor_t){.covered_from = from, .covered_until = until};
}

START_TEST(a_cursor_is_ready_once_read_back_over_the_whole_lookback) {
  plan_cursor_t never = {0};
  ck_assert(!plan_cursor_ready(NULL, NOW, HOUR));
  ck_assert(!plan_cursor_ready(&never, NOW, HOUR));
  plan_cursor_t c = covered(NOW - HOUR, NOW - 60);
  ck_assert(plan_cursor_ready(&c, NOW, HOUR));
  /* Time passing keeps it ready; a longer Lookback does not. */
  ck_assert(plan_cursor_ready(&c, NOW + 600, HOUR));
  ck_assert(!plan_cursor_ready(&c, NOW, HOUR + 1));
  c.covered_from = NOW - HOUR + 1;
  ck_assert(!plan_cursor_ready(&c, NOW, HOUR));
  /* A Lookback past the API's three days needs only what it keeps. */
  c.covered_from = plan_scan_oldest(NOW);
  ck_assert(plan_cursor_ready(&c, NOW, 30 * 86400));
}
END_TEST

START_TEST(the_next_start_is_the_oldest_until_ready_then_a_little_back) {
  plan_cursor_t never = {0};
  ck_assert_int_eq(plan_next_start(NULL, NOW, HOUR), NOW - HOUR);
  ck_assert_int_eq(plan_next_start(&never, NOW, HOUR), NOW - HOUR);
  plan_cursor_t c = covered(NOW - 600, NOW - 60);
  ck_assert_int_eq(plan_next_start(&c, NOW, HOUR), NOW - HOUR);
  c = covered(NOW - 2 * HOUR, NOW - 60);
  ck_assert_int_eq(plan_next_start(&c, NOW, HOUR), NOW - 60 - PLAN_OVERLAP);
  /* Read long ago: no further back than the Lookback. */
  ck_assert_int_eq(plan_next_start(&c, NOW + 5 * HOUR, HOUR), NOW + 4 * HOUR);
}
END_TEST

START_TEST(a_window_read_after_the_coverage_extends_it) {
  plan_cursor_t c = {0};
  plan_cursor_cover(&c, NOW - HOUR, NOW);
  ck_assert_int_eq(c.covered_from, NOW - HOUR);
  ck_assert_int_eq(c.covered_until, NOW);
  /* Overlapping, or just touching: one range. */
  plan_cursor_cover(&c, NOW - PLAN_OVERLAP, NOW + 60);
  plan_cursor_cover(&c, NOW + 60, NOW + 120);
  ck_assert_int_eq(c.covered_from, NOW - HOUR);
  ck_assert_int_eq(c.covered_until, NOW + 120);
}
END_TEST

START_TEST(a_window_read_further_back_extends_the_coverage_back) {
  plan_cursor_t c = covered(NOW - HOUR, NOW);
  plan_cursor_cover(&c, NOW - 2 * HOUR, NOW + 60);
  ck_assert_int_eq(c.covered_from, NOW - 2 * HOUR);
  ck_assert_int_eq(c.covered_until, NOW + 60);
}
END_TEST

START_TEST(a_window_after_a_gap_starts_the_coverage_anew) {
  /* Nothing is known of the gap: the coverage is the new window. */
  plan_cursor_t c = covered(NOW - 2 * HOUR, NOW - HOUR);
  plan_cursor_cover(&c, NOW - HOUR + 1, NOW);
  ck_assert_int_eq(c.covered_from, NOW - HOUR + 1);
  ck_assert_int_eq(c.covered_until, NOW);
}
END_TEST

START_TEST(a_task_first_seen_is_history_unless_created_while_watched) {
  plan_cursor_t never = {0};
  ck_assert(plan_is_history(NULL, NOW));
  ck_assert(plan_is_history(&never, NOW));
  plan_cursor_t c = covered(NOW - HOUR, NOW - 60);
  ck_assert(plan_is_history(&c, NOW - HOUR - 1));
  ck_assert(!plan_is_history(&c, NOW - HOUR));
  ck_assert(!plan_is_history(&c, NOW - 600));
  ck_assert(!plan_is_history(&c, NOW));
}
END_TEST

/* ---- time going back ---- */

START_TEST(a_coverage_ahead_of_now_is_clamped_to_now) {
  plan_cursor_t c = covered(NOW - HOUR, NOW + 600);
  plan_cursor_clamp(&c, NOW);
  ck_assert_int_eq(c.covered_from, NOW - HOUR);
  ck_assert_int_eq(c.covered_until, NOW);
  plan_cursor_t at_now = covered(NOW - HOUR, NOW);
  plan_cursor_clamp(&at_now, NOW);
  ck_assert_int_eq(at_now.covered_until, NOW);
}
END_TEST

START_TEST(a_coverage_starting_after_now_is_forgotten) {
  plan_cursor_t c = covered(NOW + 1, NOW + 600);
  plan_cursor_clamp(&c, NOW);
  ck_assert_int_eq(c.covered_from, 0);
  ck_assert_int_eq(c.covered_until, 0);
  ck_assert(!plan_cursor_ready(&c, NOW, HOUR));
}
END_TEST

START_TEST(a_window_ending_after_now_is_abandoned_by_the_clamp) {
  plan_cursor_t c = {0};
  ck_assert(plan_cursor_begin(&c, NOW + 600, HOUR, 0, PLAN_PAGE_SIZE));
  ck_assert(plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  plan_cursor_clamp(&c, NOW + 600);
  ck_assert(c.scanning);
  plan_cursor_clamp(&c, NOW);
  ck_assert(!c.scanning);
  ck_assert_int_eq(c.covered_until, 0);
}
END_TEST

/* The clock stepped back 600 s after the window was planned (on the last
 * answer's Date): the API refuses a StartTime after its now, so the page
 * asked again once the refusal's Date told the new now is another one. */
START_TEST(a_window_starting_after_now_starts_again_a_little_before_now) {
  plan_cursor_t c = covered(NOW - HOUR, NOW + 600);
  ck_assert(plan_cursor_begin(&c, NOW + 610, HOUR, 0, PLAN_PAGE_SIZE));
  ck_assert(plan_window_clamp(&c.window, NOW));
  assert_window(c.window, NOW - PLAN_OVERLAP, NOW, 1, 0);
  /* Read, it covers up to now, never the time the clock went back over. */
  plan_cursor_finish(&c);
  ck_assert_int_eq(c.covered_from, NOW - HOUR);
  ck_assert_int_eq(c.covered_until, NOW);
}
END_TEST

START_TEST(a_window_read_in_part_far_ahead_of_now_reads_again_from_page_one) {
  /* Its pages were of the old EndTime: the list is newest first, so a new
   * one moves every task to another page. */
  plan_cursor_t c = {0};
  ck_assert(plan_cursor_begin(&c, NOW + 600, HOUR, 0, PLAN_PAGE_SIZE));
  ck_assert(plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  ck_assert(plan_window_clamp(&c.window, NOW));
  assert_window(c.window, NOW + 600 - HOUR, NOW, 1, 0);
  plan_cursor_finish(&c);
  ck_assert_int_eq(c.covered_from, NOW + 600 - HOUR);
  ck_assert_int_eq(c.covered_until, NOW);
}
END_TEST

START_TEST(a_window_read_in_part_a_little_ahead_of_now_keeps_its_pages) {
  /* The Date's rounding moves now a second either way; the next window's
   * overlap re-reads what an EndTime that little ahead claims. */
  plan_cursor_t c = begun_cursor();
  ck_assert(plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  ck_assert(plan_window_clamp(&c.window, NOW - PLAN_OVERLAP));
  assert_window(c.window, NOW - 3600, NOW, 2, 3);
  /* A window not read yet ends at now whatever. */
  plan_cursor_t fresh = begun_cursor();
  ck_assert(plan_window_clamp(&fresh.window, NOW - 1));
  assert_window(fresh.window, NOW - 3600, NOW - 1, 1, 0);
}
END_TEST

START_TEST(a_window_read_in_part_starting_after_now_keeps_its_pages) {
  /* An earlier StartTime only adds older tasks after the last page. */
  plan_cursor_t c = covered(NOW - HOUR, NOW + 20);
  ck_assert(plan_cursor_begin(&c, NOW + 25, HOUR, 0, PLAN_PAGE_SIZE));
  c.window.start = NOW + 10;
  ck_assert(plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  ck_assert(plan_window_clamp(&c.window, NOW));
  assert_window(c.window, NOW - PLAN_OVERLAP, NOW + 25, 2, 3);
  ck_assert_int_eq(c.window.covers_from, NOW - PLAN_OVERLAP);
}
END_TEST

/* ---- windows ---- */

START_TEST(a_window_begins_on_page_one_inside_the_apis_three_days) {
  plan_cursor_t c = covered(NOW - HOUR, NOW - 60);
  plan_window_begin(&c, NOW - 5 * 86400, NOW, PLAN_PAGE_SIZE);
  ck_assert(c.scanning);
  assert_window(c.window, plan_scan_oldest(NOW), NOW, 1, 0);
  ck_assert_int_eq(c.covered_until, NOW - 60);
  plan_window_begin(&c, NOW - 600, NOW, PLAN_PAGE_SIZE);
  assert_window(c.window, NOW - 600, NOW, 1, 0);
}
END_TEST

START_TEST(a_long_scan_keeps_its_window_inside_the_apis_three_days) {
  plan_cursor_t c = {0};
  plan_window_begin(&c, plan_scan_oldest(NOW), NOW, PLAN_PAGE_SIZE);
  ck_assert(plan_window_advance(&c.window, 1000, PLAN_PAGE_SIZE));
  ck_assert(plan_window_clamp(&c.window, NOW));
  assert_window(c.window, plan_scan_oldest(NOW), NOW, 2, 20);
  /* Ten minutes later the oldest ten minutes are gone from the API. */
  ck_assert(plan_window_clamp(&c.window, NOW + 600));
  assert_window(c.window, plan_scan_oldest(NOW + 600), NOW, 2, 20);
}
END_TEST

START_TEST(a_window_left_behind_by_the_three_days_has_nothing_left) {
  plan_cursor_t c = {0};
  time_t end = plan_scan_oldest(NOW) + 60;
  plan_window_begin(&c, plan_scan_oldest(NOW), end, PLAN_PAGE_SIZE);
  ck_assert(plan_window_clamp(&c.window, NOW + 60));
  ck_assert_int_eq(c.window.start, end);
  ck_assert(!plan_window_clamp(&c.window, NOW + 61));
}
END_TEST

START_TEST(an_abandoned_window_leaves_the_coverage_and_begins_afresh) {
  plan_cursor_t c = covered(NOW - 2 * HOUR, NOW - 60);
  ck_assert(plan_cursor_begin(&c, NOW, HOUR, 0, PLAN_PAGE_SIZE));
  ck_assert(plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  plan_cursor_abandon(&c);
  ck_assert(!c.scanning);
  ck_assert_int_eq(c.covered_until, NOW - 60);
  ck_assert(plan_cursor_begin(&c, NOW + 60, HOUR, 0, PLAN_PAGE_SIZE));
  assert_window(c.window, NOW - 60 - PLAN_OVERLAP, NOW + 60, 1, 0);
}
END_TEST

START_TEST(a_window_never_read_begins_again_ending_at_the_new_now) {
  /* The budget ran out before its first page, or the page failed: no
   * page of it was seen, so its EndTime may still move to now. */
  plan_cursor_t c = begun_cursor();
  ck_assert(plan_cursor_begin(&c, NOW + 60, HOUR, 0, PLAN_PAGE_SIZE));
  assert_window(c.window, NOW + 60 - HOUR, NOW + 60, 1, 0);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_cold_cursor_scans_from_the_oldest_start_to_now,
      a_cold_cursor_with_a_long_lookback_keeps_clear_of_the_edge,
      a_finished_window_covers_the_cursor_up_to_its_end,
      the_next_window_overlaps_the_last_and_ends_at_the_new_now,
      after_a_long_pause_the_next_window_starts_at_the_oldest_start,
      begin_is_a_no_op_while_a_window_is_being_scanned,
      a_resumed_window_finishes_at_its_fixed_end,
      a_cursor_covered_up_to_now_has_no_window,
      a_clock_stepped_back_has_nothing_new_once_the_lookback_is_read,
      extend_back_starts_the_window_at_an_older_in_flight_task,
      extend_back_reaches_past_the_lookback_for_tasks_in_flight,
      extend_back_never_reaches_past_the_api_history,
      extend_back_later_than_the_next_start_changes_nothing,
      extend_back_reaches_back_on_a_cold_cursor_too,
      the_api_answers_for_three_days_less_a_margin,
      a_cursor_is_ready_once_read_back_over_the_whole_lookback,
      the_next_start_is_the_oldest_until_ready_then_a_little_back,
      a_window_read_after_the_coverage_extends_it,
      a_window_read_further_back_extends_the_coverage_back,
      a_window_after_a_gap_starts_the_coverage_anew,
      a_task_first_seen_is_history_unless_created_while_watched,
      a_coverage_ahead_of_now_is_clamped_to_now,
      a_coverage_starting_after_now_is_forgotten,
      a_window_ending_after_now_is_abandoned_by_the_clamp,
      a_window_starting_after_now_starts_again_a_little_before_now,
      a_window_read_in_part_far_ahead_of_now_reads_again_from_page_one,
      a_window_read_in_part_a_little_ahead_of_now_keeps_its_pages,
      a_window_read_in_part_starting_after_now_keeps_its_pages,
      a_window_begins_on_page_one_inside_the_apis_three_days,
      a_long_scan_keeps_its_window_inside_the_apis_three_days,
      a_window_left_behind_by_the_three_days_has_nothing_left,
      an_abandoned_window_leaves_the_coverage_and_begins_afresh,
      a_window_never_read_begins_again_ending_at_the_new_now,
  };
  return unit_main("plan_cursor", tests, N_OF(tests), NULL);
}
