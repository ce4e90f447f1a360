/* The calls an interval makes: its budget, incremental windows per cursor,
 * their pages and parameters, the choice between re-scanning and looking
 * in-flight tasks up by id, and the id queue. Cursors and their windows
 * are in test_plan_cursor.c. */
#include "core/plan.h"
#include "core/product.h"

#include "unit.h"

#include <check.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2024-05-06T07:08:09Z */
#define NOW ((time_t)1714979289)
#define NOW_ISO "2024-05-06T07:08:09Z"
#define HOUR_AGO_ISO "2024-05-06T06:08:09Z"

/* Walking 100000 pages takes a while. */
static const unit_case_t test_case = {.timeout = 60};

/* ---- budget and the oldest StartTime ---- */

/* A rate limit and interval, and the budget of calls they allow. */
typedef struct {
  double rate_limit;
  double interval;
  long budget;
} budget_t;

static void assert_budgets(const budget_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    long got = plan_budget(b[i].rate_limit, b[i].interval);
    ck_assert_msg(got == b[i].budget, "%g/s for %gs: budget %ld, not %ld",
                  b[i].rate_limit, b[i].interval, got, b[i].budget);
  }
}

START_TEST(the_budget_is_eighty_percent_of_rate_limit_times_interval) {
  static const budget_t budgets[] = {
      {5, 60, 240}, {5, 10, 40}, {2.5, 60, 120}, {1000, 3600, 2880000}};
  assert_budgets(budgets, N_OF(budgets));
}
END_TEST

START_TEST(a_fractional_budget_is_rounded_down) {
  static const budget_t budgets[] = {{1, 7, 5} /* 5.6 */,
                                     {0.5, 11, 4} /* 4.4 */};
  assert_budgets(budgets, N_OF(budgets));
}
END_TEST

START_TEST(a_tiny_budget_still_allows_one_call) {
  static const budget_t budgets[] = {{0.01, 1, 1} /* 0.008 */,
                                     {0.01, 60, 1} /* 0.48 */,
                                     {0.5, 2, 1} /* 0.8 */,
                                     {0, 0, 1}};
  assert_budgets(budgets, N_OF(budgets));
}
END_TEST

/* An account's thread polls one interval after the last poll began; a
 * poll that overran starts the next a second after it ended (two values
 * of a series never less than a second apart), and missed polls are not
 * made up in a burst. */
START_TEST(the_next_poll_is_one_interval_after_the_last_began) {
  ck_assert_double_eq(plan_next_poll(100, 60, 130), 160);
  ck_assert_double_eq(plan_next_poll(100, 60, 159), 160);
  ck_assert_double_eq(plan_next_poll(100, 60, 159.5), 160.5);
  ck_assert_double_eq(plan_next_poll(100, 60, 175), 176);
  ck_assert_double_eq(plan_next_poll(100, 60, 400), 401);
  /* An Interval under a second keeps its own spacing. */
  ck_assert_double_eq(plan_next_poll(100, 0.5, 100.75), 101.25);
}
END_TEST

/* A poll waits for its time and for the last poll's values to be sent:
 * a held-up read delays the next poll rather than piling polls up. */
START_TEST(a_poll_waits_for_its_time_and_for_the_last_values_to_be_sent) {
  plan_wait_t wait;
  ck_assert(plan_poll_due(160, 160, 60, false, &wait));
  ck_assert(plan_poll_due(200, 160, 60, false, &wait));
  ck_assert(!plan_poll_due(150, 160, 60, false, &wait));
  ck_assert_double_eq(wait.until, 160);
  ck_assert(!wait.overdue);
  /* Due, but the last values are still unsent: wait to be woken. */
  ck_assert(!plan_poll_due(170, 160, 60, true, &wait));
  ck_assert_double_eq(wait.until, 230);
  ck_assert(!wait.overdue);
  ck_assert(!plan_poll_due(150, 160, 60, true, &wait));
  ck_assert_double_eq(wait.until, 160);
  /* A whole interval past due: the read is late, which is said. */
  ck_assert(!plan_poll_due(220, 160, 60, true, &wait));
  ck_assert(wait.overdue);
}
END_TEST

START_TEST(the_polls_now_follows_the_apis_clock_stepped_back) {
  ck_assert_int_eq(plan_poll_now(NOW, NOW + 1000), NOW);
  ck_assert_int_eq(plan_poll_now(NOW, NOW), NOW);
  /* Less than the overlap is the Date's rounding, not a step. */
  ck_assert_int_eq(plan_poll_now(NOW, NOW - PLAN_OVERLAP), NOW);
  ck_assert_int_eq(plan_poll_now(NOW, NOW - PLAN_OVERLAP - 1),
                   NOW - PLAN_OVERLAP - 1);
  ck_assert_int_eq(plan_poll_now(NOW, NOW - 1000), NOW - 1000);
}
END_TEST

START_TEST(the_oldest_start_is_lookback_seconds_ago) {
  ck_assert_int_eq(plan_oldest(NOW, 3600), NOW - 3600);
  ck_assert_int_eq(plan_oldest(NOW, 60), NOW - 60);
}
END_TEST

START_TEST(a_three_day_lookback_is_kept_clear_of_the_history_edge) {
  ck_assert_int_eq(plan_oldest(NOW, 259200),
                   NOW - PLAN_HISTORY + PLAN_HISTORY_MARGIN);
}
END_TEST

START_TEST(a_lookback_beyond_the_history_is_clamped) {
  ck_assert_int_eq(plan_oldest(NOW, 30 * 86400),
                   NOW - PLAN_HISTORY + PLAN_HISTORY_MARGIN);
}
END_TEST

START_TEST(a_lookback_just_inside_the_margin_is_kept) {
  ck_assert_int_eq(plan_oldest(NOW, PLAN_HISTORY - PLAN_HISTORY_MARGIN - 1),
                   NOW - PLAN_HISTORY + PLAN_HISTORY_MARGIN + 1);
}
END_TEST

/* A cursor that has begun its first window, an hour back from NOW. */
static plan_cursor_t begun_cursor(void) {
  plan_cursor_t c = {0};
  ck_assert(plan_cursor_begin(&c, NOW, 3600, 0, PLAN_PAGE_SIZE));
  return c;
}

/* ---- window parameters ---- */

/* Asserts the window's parameters; domain and object_type NULL when they
 * must be absent. */
static void assert_params(const plan_window_t *w, const char *domain,
                          task_type_t type, const char *start, const char *end,
                          const char *page_number, const char *object_type) {
  params_t p = PARAMS_INIT;
  ck_assert_int_eq(plan_window_params(w, &p), 0);
  if (domain != NULL)
    ck_assert_ptr_nonnull(
        product_pair_query(&products[PRODUCT_DCDN], domain, 0, type, &p));
  for (size_t i = 0; i < p.count; i++)
    ck_assert_msg(p.items[i].value[0] != '\0', "%s is empty", p.items[i].name);
  ck_assert_str_eq(params_get(&p, "StartTime"), start);
  ck_assert_str_eq(params_get(&p, "EndTime"), end);
  ck_assert_str_eq(params_get(&p, "PageSize"), "50");
  ck_assert_str_eq(params_get(&p, "PageNumber"), page_number);
  if (object_type != NULL) {
    ck_assert_uint_eq(p.count, 6);
    ck_assert_str_eq(params_get(&p, "DomainName"), domain);
    ck_assert_str_eq(params_get(&p, "ObjectType"), object_type);
  } else {
    ck_assert_uint_eq(p.count, 4);
    ck_assert_ptr_null(params_get(&p, "DomainName"));
    ck_assert_ptr_null(params_get(&p, "ObjectType"));
  }
  ck_assert_ptr_null(params_get(&p, "Status"));
  params_free(&p);
}

START_TEST(account_wide_params_use_the_api_time_format_and_the_largest_page) {
  plan_cursor_t c = begun_cursor();
  assert_params(&c.window, NULL, TASK_TYPE_UNKNOWN, HOUR_AGO_ISO, NOW_ISO, "1",
                NULL);
}
END_TEST

START_TEST(domain_params_name_the_domain_and_its_object_type) {
  static const char *const names[] = {"file", "directory", "regex",
                                      "preload"};
  plan_cursor_t c = begun_cursor();
  for (int t = 0; t < 4; t++)
    assert_params(&c.window, "example.com", (task_type_t)t, HOUR_AGO_ISO,
                  NOW_ISO, "1", names[t]);
}
END_TEST

START_TEST(a_domain_without_an_object_type_is_not_sent) {
  /* DomainName alone answers MissingParameter.ObjectType: a type the
   * product does not have makes no query. */
  params_t p = PARAMS_INIT;
  ck_assert_ptr_null(product_pair_query(&products[PRODUCT_DCDN], "example.com",
                                        0, TASK_TYPE_UNKNOWN, &p));
  ck_assert_ptr_null(product_pair_query(&products[PRODUCT_DCDN], "example.com",
                                        0, TASK_TYPE_CACHETAG, &p));
  params_free(&p);
}
END_TEST

START_TEST(an_object_type_without_a_domain_is_not_sent) {
  plan_cursor_t c = begun_cursor();
  assert_params(&c.window, NULL, TASK_TYPE_FILE, HOUR_AGO_ISO, NOW_ISO, "1",
                NULL);
}
END_TEST

START_TEST(a_zero_lookback_still_sends_no_empty_value) {
  plan_cursor_t c = {0};
  ck_assert(plan_cursor_begin(&c, NOW, 0, 0, PLAN_PAGE_SIZE));
  assert_params(&c.window, NULL, TASK_TYPE_UNKNOWN, NOW_ISO, NOW_ISO, "1",
                NULL);
}
END_TEST

START_TEST(window_params_are_appended_to_what_is_there) {
  plan_cursor_t c = {0};
  plan_cursor_begin(&c, NOW, 60, 0, PLAN_PAGE_SIZE);
  params_t p = PARAMS_INIT;
  params_add(&p, "Action", "DescribeDcdnRefreshTasks");
  ck_assert_int_eq(
      plan_window_params(&c.window, &p), 0);
  ck_assert_ptr_nonnull(product_pair_query(&products[PRODUCT_DCDN],
                                           "example.com", 0, TASK_TYPE_REGEX,
                                           &p));
  ck_assert_uint_eq(p.count, 7);
  ck_assert_str_eq(p.items[0].name, "Action");
  ck_assert_str_eq(params_get(&p, "Action"), "DescribeDcdnRefreshTasks");
  ck_assert_str_eq(params_get(&p, "ObjectType"), "regex");
  ck_assert_str_eq(params_get(&p, "PageNumber"), "1");
  params_free(&p);
}
END_TEST

/* ---- pages ---- */

START_TEST(pages_round_up_to_whole_pages_of_fifty) {
  ck_assert_int_eq(plan_pages(0, PLAN_PAGE_SIZE), 0);
  ck_assert_int_eq(plan_pages(1, PLAN_PAGE_SIZE), 1);
  ck_assert_int_eq(plan_pages(50, PLAN_PAGE_SIZE), 1);
  ck_assert_int_eq(plan_pages(51, PLAN_PAGE_SIZE), 2);
  ck_assert_int_eq(plan_pages(2000, PLAN_PAGE_SIZE), 40);
  ck_assert_int_eq(plan_pages(LONG_MAX, PLAN_PAGE_SIZE), LONG_MAX / 50 + 1);
}
END_TEST

/* Walks a window whose every answer reports total_count: the pages fetched.
 * Checks each step with plain comparisons (a check assertion per step would
 * make the 100000-page walks slow) and asserts once at the end. */
static long pages_fetched(long total_count) {
  plan_cursor_t c = begun_cursor();
  plan_window_t *w = &c.window;
  long fetched = 1;
  bool ok = true;
  while (ok && plan_window_advance(w, total_count, PLAN_PAGE_SIZE)) {
    fetched++;
    ok = w->page == fetched && w->page <= w->last_page &&
         w->page <= PLAN_MAX_PAGE && w->start == NOW - 3600 && w->end == NOW;
  }
  ck_assert_msg(ok, "bad step to page %ld of %ld (window %ld..%ld)", w->page,
                w->last_page, (long)w->start, (long)w->end);
  ck_assert_int_eq(w->page, fetched);
  return fetched;
}

START_TEST(no_tasks_needs_only_the_first_page) {
  ck_assert_int_eq(pages_fetched(0), 1);
}
END_TEST

START_TEST(one_task_needs_one_page) { ck_assert_int_eq(pages_fetched(1), 1); }
END_TEST

START_TEST(a_full_page_needs_one_page) {
  ck_assert_int_eq(pages_fetched(50), 1);
}
END_TEST

START_TEST(one_task_more_than_a_page_needs_two) {
  ck_assert_int_eq(pages_fetched(51), 2);
}
END_TEST

START_TEST(a_hundred_and_twenty_tasks_need_pages_one_to_three) {
  plan_cursor_t c = begun_cursor();
  plan_window_t *w = &c.window;
  assert_params(w, NULL, TASK_TYPE_UNKNOWN, HOUR_AGO_ISO, NOW_ISO, "1", NULL);
  ck_assert(plan_window_advance(w, 120, PLAN_PAGE_SIZE));
  ck_assert_int_eq(w->last_page, 3);
  assert_params(w, NULL, TASK_TYPE_UNKNOWN, HOUR_AGO_ISO, NOW_ISO, "2", NULL);
  ck_assert(plan_window_advance(w, 120, PLAN_PAGE_SIZE));
  assert_params(w, NULL, TASK_TYPE_UNKNOWN, HOUR_AGO_ISO, NOW_ISO, "3", NULL);
  ck_assert(!plan_window_advance(w, 120, PLAN_PAGE_SIZE));
  ck_assert_int_eq(w->page, 3);
  ck_assert_int_eq(pages_fetched(120), 3);
}
END_TEST

START_TEST(a_shrinking_total_count_ends_the_window) {
  plan_cursor_t c = begun_cursor();
  ck_assert(plan_window_advance(&c.window, 120, PLAN_PAGE_SIZE));
  ck_assert(!plan_window_advance(&c.window, 40, PLAN_PAGE_SIZE));
  ck_assert_int_eq(c.window.page, 2);
}
END_TEST

START_TEST(a_negative_total_count_ends_the_window) {
  plan_cursor_t c = begun_cursor();
  ck_assert(!plan_window_advance(&c.window, -120, PLAN_PAGE_SIZE));
  ck_assert_int_eq(c.window.page, 1);
}
END_TEST

START_TEST(an_absurd_total_count_never_passes_the_last_page) {
  ck_assert_int_eq(pages_fetched(LONG_MAX), PLAN_MAX_PAGE);
}
END_TEST

/* A short page is the last one: an answer claiming millions of tasks
 * beside a page of three costs no second call. */
START_TEST(a_short_page_ends_the_window_whatever_total_count_says) {
  plan_cursor_t c = begun_cursor();
  ck_assert(plan_total_overstated(&c.window, LONG_MAX, 3));
  ck_assert(!plan_window_advance(&c.window, LONG_MAX, 3));
  ck_assert_int_eq(c.window.page, 1);
  ck_assert_int_eq(c.window.last_page, 1);
}
END_TEST

START_TEST(an_empty_page_after_full_ones_ends_the_window) {
  plan_cursor_t c = begun_cursor();
  ck_assert(plan_window_advance(&c.window, 1000, PLAN_PAGE_SIZE));
  ck_assert(plan_total_overstated(&c.window, 1000, 0));
  ck_assert(!plan_window_advance(&c.window, 1000, 0));
  ck_assert_int_eq(c.window.page, 2);
}
END_TEST

START_TEST(a_short_last_page_is_no_contradiction) {
  plan_cursor_t c = begun_cursor();
  ck_assert(plan_window_advance(&c.window, 70, PLAN_PAGE_SIZE));
  ck_assert(!plan_total_overstated(&c.window, 70, 20));
  ck_assert(!plan_window_advance(&c.window, 70, 20));
  ck_assert(!plan_total_overstated(&c.window, 0, 0));
}
END_TEST

START_TEST(a_total_count_just_past_the_limit_stops_at_the_last_page) {
  ck_assert_int_eq(pages_fetched((long)PLAN_MAX_PAGE * PLAN_PAGE_SIZE + 1),
                   PLAN_MAX_PAGE);
  ck_assert_int_eq(pages_fetched((long)PLAN_MAX_PAGE * PLAN_PAGE_SIZE),
                   PLAN_MAX_PAGE);
}
END_TEST

START_TEST(the_last_page_param_is_the_api_maximum) {
  plan_cursor_t c = begun_cursor();
  while (plan_window_advance(&c.window, LONG_MAX, PLAN_PAGE_SIZE))
    ;
  ck_assert_int_eq(c.window.last_page, PLAN_MAX_PAGE);
  assert_params(&c.window, NULL, TASK_TYPE_UNKNOWN, HOUR_AGO_ISO, NOW_ISO,
                "100000", NULL);
}
END_TEST

/* ---- re-scan or look up by id ---- */

static plan_refresh_t choose(size_t in_flight, size_t known_in_range,
                             long expected_new) {
  plan_refresh_input_t in = {in_flight, NOW - 1800, known_in_range,
                             expected_new, PLAN_PAGE_SIZE};
  return plan_choose_refresh(&in);
}

START_TEST(nothing_in_flight_needs_no_refresh) {
  ck_assert_int_eq(choose(0, 0, 0), PLAN_REFRESH_NONE);
  ck_assert_int_eq(choose(0, 100000, 10), PLAN_REFRESH_NONE);
}
END_TEST

START_TEST(a_few_tasks_among_few_known_are_rescanned_for_free) {
  /* pages(10 + 40) - pages(10) = 0 extra calls, against 1 by id. */
  ck_assert_int_eq(choose(3, 40, 10), PLAN_REFRESH_RESCAN);
}
END_TEST

START_TEST(many_tasks_spread_over_a_busy_range_are_looked_up_by_id) {
  /* 3 calls by id against 40 extra pages. */
  ck_assert_int_eq(choose(25, 2000, 0), PLAN_REFRESH_BYID);
  ck_assert_int_eq(choose(25, 2000, 10), PLAN_REFRESH_BYID);
}
END_TEST

START_TEST(a_tie_prefers_the_rescan) {
  ck_assert_int_eq(choose(10, 50, 0), PLAN_REFRESH_RESCAN);  /* 1 vs 1 */
  ck_assert_int_eq(choose(11, 100, 0), PLAN_REFRESH_RESCAN); /* 2 vs 2 */
  ck_assert_int_eq(choose(11, 101, 0), PLAN_REFRESH_BYID);   /* 3 vs 2 */
}
END_TEST

START_TEST(the_new_windows_own_pages_are_not_charged_to_the_rescan) {
  ck_assert_int_eq(choose(1, 45, 5), PLAN_REFRESH_RESCAN);  /* 0 vs 1 */
  ck_assert_int_eq(choose(1, 46, 5), PLAN_REFRESH_RESCAN);  /* 1 vs 1 */
  ck_assert_int_eq(choose(1, 100, 5), PLAN_REFRESH_BYID);   /* 2 vs 1 */
  ck_assert_int_eq(choose(1, 100, 40), PLAN_REFRESH_BYID);  /* 2 vs 1 */
  ck_assert_int_eq(choose(2, 60, 40), PLAN_REFRESH_RESCAN); /* 1 vs 1 */
}
END_TEST

START_TEST(a_negative_expectation_counts_as_none) {
  /* 2 by id; re-scan pages(60) - pages(0) = 2. */
  ck_assert_int_eq(choose(20, 60, -1000), PLAN_REFRESH_RESCAN);
  ck_assert_int_eq(choose(20, 60, 0), PLAN_REFRESH_RESCAN);
}
END_TEST

/* ---- the id queue ---- */

/* The queue's next batch as the TaskId value; NULL when it has none. */
static char *next_batch(const plan_idqueue_t *q) {
  params_t p = PARAMS_INIT;
  char *ids = NULL;
  if (plan_idqueue_params(q, &p) == 0) {
    ck_assert_uint_eq(p.count, 1);
    ids = strdup(params_get(&p, "TaskId"));
  } else {
    ck_assert_uint_eq(p.count, 0);
  }
  params_free(&p);
  return ids;
}

static void assert_batch(const plan_idqueue_t *q, const char *expect) {
  char *ids = next_batch(q);
  ck_assert_ptr_nonnull(ids);
  ck_assert_str_eq(ids, expect);
  free(ids);
}

/* The next batch must be expect; then it is taken off the queue. */
static void take_batch(plan_idqueue_t *q, const char *expect) {
  assert_batch(q, expect);
  plan_idqueue_pop(q);
}

/* A queue holding the ids first to last, pushed in that order. */
static plan_idqueue_t queue_of(uint64_t first, uint64_t last) {
  plan_idqueue_t q = {0};
  for (uint64_t id = first; id <= last; id++)
    ck_assert_int_eq(plan_idqueue_push(&q, id), 0);
  return q;
}

START_TEST(a_new_queue_is_empty_and_has_no_batch) {
  plan_idqueue_t q = {0};
  ck_assert(plan_idqueue_empty(&q));
  ck_assert_ptr_null(next_batch(&q));
  plan_idqueue_free(&q);
}
END_TEST

START_TEST(ids_go_out_ten_a_call_comma_joined) {
  plan_idqueue_t q = queue_of(704225661, 704225685);
  ck_assert(!plan_idqueue_empty(&q));
  assert_batch(&q, "704225661,704225662,704225663,704225664,704225665,"
                   "704225666,704225667,704225668,704225669,704225670");
  /* Until popped, the same batch is offered again (a retried call). */
  take_batch(&q, "704225661,704225662,704225663,704225664,704225665,"
                 "704225666,704225667,704225668,704225669,704225670");
  ck_assert(!plan_idqueue_empty(&q));
  take_batch(&q, "704225671,704225672,704225673,704225674,704225675,"
                 "704225676,704225677,704225678,704225679,704225680");
  ck_assert(!plan_idqueue_empty(&q));
  take_batch(&q, "704225681,704225682,704225683,704225684,704225685");
  ck_assert(plan_idqueue_empty(&q));
  ck_assert_ptr_null(next_batch(&q));
  plan_idqueue_free(&q);
}
END_TEST

START_TEST(exactly_ten_ids_make_one_batch) {
  plan_idqueue_t q = queue_of(1, 10);
  take_batch(&q, "1,2,3,4,5,6,7,8,9,10");
  ck_assert(plan_idqueue_empty(&q));
  plan_idqueue_free(&q);
}
END_TEST

START_TEST(the_largest_ids_are_written_in_full) {
  plan_idqueue_t q = {0};
  plan_idqueue_push(&q, UINT64_C(9999999999999999999));
  plan_idqueue_push(&q, UINT64_C(4294967297));
  assert_batch(&q, "9999999999999999999,4294967297");
  plan_idqueue_free(&q);
}
END_TEST

START_TEST(a_drained_queue_starts_over_with_the_next_push) {
  plan_idqueue_t q = queue_of(1, 12);
  plan_idqueue_pop(&q);
  plan_idqueue_pop(&q);
  ck_assert(plan_idqueue_empty(&q));
  ck_assert_uint_eq(q.count, 0);
  plan_idqueue_push(&q, 77);
  ck_assert(!plan_idqueue_empty(&q));
  assert_batch(&q, "77");
  plan_idqueue_free(&q);
}
END_TEST

START_TEST(ids_pushed_mid_batch_join_the_queue) {
  plan_idqueue_t q = queue_of(1, 12);
  plan_idqueue_pop(&q);
  plan_idqueue_push(&q, 13);
  assert_batch(&q, "11,12,13");
  plan_idqueue_free(&q);
}
END_TEST

START_TEST(clear_drops_every_pending_id_and_keeps_the_queue_usable) {
  plan_idqueue_t q = queue_of(1, 15);
  plan_idqueue_pop(&q);
  plan_idqueue_clear(&q);
  ck_assert(plan_idqueue_empty(&q));
  ck_assert_ptr_null(next_batch(&q));
  plan_idqueue_push(&q, 5);
  assert_batch(&q, "5");
  plan_idqueue_free(&q);
  ck_assert_ptr_null(q.ids);
  ck_assert(plan_idqueue_empty(&q));
}
END_TEST

START_TEST(a_queue_grows_to_thousands_of_ids_in_order) {
  plan_idqueue_t q = queue_of(1, 5000);
  long batches = 0;
  bool ok = true;
  while (!plan_idqueue_empty(&q)) {
    char *ids = next_batch(&q);
    char expect[32];
    snprintf(expect, sizeof(expect), "%ld,", batches * 10 + 1);
    ok = ok && ids != NULL && strncmp(ids, expect, strlen(expect)) == 0;
    free(ids);
    plan_idqueue_pop(&q);
    batches++;
  }
  ck_assert(ok);
  ck_assert_int_eq(batches, 500);
  plan_idqueue_free(&q);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      the_budget_is_eighty_percent_of_rate_limit_times_interval,
      a_fractional_budget_is_rounded_down,
      a_tiny_budget_still_allows_one_call,
      the_next_poll_is_one_interval_after_the_last_began,
      a_poll_waits_for_its_time_and_for_the_last_values_to_be_sent,
      the_polls_now_follows_the_apis_clock_stepped_back,
      the_oldest_start_is_lookback_seconds_ago,
      a_three_day_lookback_is_kept_clear_of_the_history_edge,
      a_lookback_beyond_the_history_is_clamped,
      a_lookback_just_inside_the_margin_is_kept,
      account_wide_params_use_the_api_time_format_and_the_largest_page,
      domain_params_name_the_domain_and_its_object_type,
      a_domain_without_an_object_type_is_not_sent,
      an_object_type_without_a_domain_is_not_sent,
      a_zero_lookback_still_sends_no_empty_value,
      window_params_are_appended_to_what_is_there,
      pages_round_up_to_whole_pages_of_fifty,
      no_tasks_needs_only_the_first_page,
      one_task_needs_one_page,
      a_full_page_needs_one_page,
      one_task_more_than_a_page_needs_two,
      a_hundred_and_twenty_tasks_need_pages_one_to_three,
      a_shrinking_total_count_ends_the_window,
      a_negative_total_count_ends_the_window,
      an_absurd_total_count_never_passes_the_last_page,
      a_short_page_ends_the_window_whatever_total_count_says,
      an_empty_page_after_full_ones_ends_the_window,
      a_short_last_page_is_no_contradiction,
      a_total_count_just_past_the_limit_stops_at_the_last_page,
      the_last_page_param_is_the_api_maximum,
      nothing_in_flight_needs_no_refresh,
      a_few_tasks_among_few_known_are_rescanned_for_free,
      many_tasks_spread_over_a_busy_range_are_looked_up_by_id,
      a_tie_prefers_the_rescan,
      the_new_windows_own_pages_are_not_charged_to_the_rescan,
      a_negative_expectation_counts_as_none,
      a_new_queue_is_empty_and_has_no_batch,
      ids_go_out_ten_a_call_comma_joined,
      exactly_ten_ids_make_one_batch,
      the_largest_ids_are_written_in_full,
      a_drained_queue_starts_over_with_the_next_push,
      ids_pushed_mid_batch_join_the_queue,
      clear_drops_every_pending_id_and_keeps_the_queue_usable,
      a_queue_grows_to_thousands_of_ids_in_order,
  };
  return unit_main("plan", tests, N_OF(tests), &test_case);
}
