/* The values of a poll: which series each Report family sends per ready
 * stream, what a stream not yet ready sends (nothing but its domain's
 * staleness, unknown), the account's own values whatever Report says, and
 * the invariant that every family is one set of table rows. */
#include "core/plan.h"
#include "core/report.h"
#include "watch_fixture.h"

#include "unit.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define NOW WF_NOW
#define HOUR 3600

static conf_t conf;
static watch_t w;
static report_t r;
static selfstats_t stats;

static void teardown(void) {
  report_free(&r);
  watch_free(&w);
  conf_free(&conf);
  memset(&stats, 0, sizeof(stats));
}

static void build(void) {
  report_input_t in = {"dcdn", "prod", &w, &stats, NULL, NULL, 0, NOW, -1};
  ck_assert_int_eq(report_build(&in, &r), 0);
}

/* How many values of plugin_instance pi have a type_instance ending in
 * suffix ("" for all). */
static size_t count_of(const char *pi, const char *suffix) {
  size_t n = 0, sl = strlen(suffix);
  for (size_t i = 0; i < r.count; i++) {
    const char *ti = report_text(&r, r.values[i].type_instance);
    size_t tl = strlen(ti);
    if (strcmp(report_text(&r, r.values[i].plugin_instance), pi) == 0 &&
        tl >= sl && strcmp(ti + tl - sl, suffix) == 0)
      n++;
  }
  return n;
}

static const report_value_t *find(const char *pi, const char *ti) {
  for (size_t i = 0; i < r.count; i++)
    if (strcmp(report_text(&r, r.values[i].plugin_instance), pi) == 0 &&
        strcmp(report_text(&r, r.values[i].type_instance), ti) == 0)
      return &r.values[i];
  return NULL;
}

/* One domain of every type, read over the Lookback, one task in flight of
 * each type and one finished file: every family has its figures. */
static void ready_domain(const char *body) {
  wf_watch(&w, &conf, body);
  uint32_t d = wf_domain(&w, "a.example.com");
  wf_cover_all(&w, NOW - 2 * HOUR, NOW - 60);
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
    wf_put(&w, 100 + t, NOW - 600, d, t, TASK_STATUS_REFRESHING, 0);
  wf_put(&w, 200, NOW - 900, d, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 0);
}

START_TEST(a_ready_domain_sends_every_family_by_default) {
  ready_domain(WF_KEY "Domain \"a.example.com\"\n");
  build();
  /* counts 4 x 4, rates 2 x 4, oldest in flight and progress 4 each (no
   * completion this interval: no completion times), staleness 1. */
  ck_assert_uint_eq(count_of("a.example.com", ""), 16 + 8 + 4 + 4 + 1);
  const report_value_t *v = find("a.example.com", "file-complete");
  ck_assert_ptr_nonnull(v);
  ck_assert_str_eq(v->type, "count");
  ck_assert_double_eq(v->gauge, 1);
  v = find("a.example.com", "regex-oldest_in_flight");
  ck_assert_ptr_nonnull(v);
  ck_assert_double_eq(v->gauge, 600);
  v = find("a.example.com", "staleness");
  ck_assert_ptr_nonnull(v);
  ck_assert_double_eq(v->gauge, 60);
  v = find("a.example.com", "file-completed");
  ck_assert(v != NULL && v->derive && strcmp(v->type, "total_operations") == 0);
}
END_TEST

START_TEST(report_keeps_only_the_families_named) {
  ready_domain(WF_KEY "Report \"counts\" \"staleness\"\n"
                      "Domain \"a.example.com\"\n");
  build();
  ck_assert_uint_eq(count_of("a.example.com", ""), 16 + 1);
  ck_assert_ptr_null(find("a.example.com", "file-completed"));
  ck_assert_ptr_null(find("a.example.com", "file-progress"));
  /* The account's own values do not depend on Report. */
  ck_assert_ptr_nonnull(find("prod", "calls"));
  ck_assert_ptr_nonnull(find("prod", "staleness"));
  ck_assert_ptr_nonnull(find("prod", "tracked_tasks"));
  /* No read callback ran yet: no figure. */
  ck_assert_ptr_null(find("prod", "read_callback"));
}
END_TEST

START_TEST(a_domain_report_overrides_its_accounts) {
  wf_watch(&w, &conf,
           WF_KEY "Report \"counts\"\nDomain \"b.example.com\"\n"
                  "<Domain \"a.example.com\">\n  Report \"progress\"\n"
                  "</Domain>\n");
  wf_cover_all(&w, NOW - 2 * HOUR, NOW - 60);
  uint32_t a = wf_domain(&w, "a.example.com");
  wf_put(&w, 7, NOW - 600, a, TASK_TYPE_FILE, TASK_STATUS_PENDING, 0);
  build();
  ck_assert_uint_eq(count_of("a.example.com", ""), 1);
  ck_assert_ptr_nonnull(find("a.example.com", "file-progress"));
  ck_assert_uint_eq(count_of("b.example.com", ""), 16);
}
END_TEST

START_TEST(report_none_sends_no_domain_value) {
  ready_domain(WF_KEY "Report \"None\"\nDomain \"a.example.com\"\n");
  build();
  ck_assert_uint_eq(count_of("a.example.com", ""), 0);
  ck_assert_ptr_nonnull(find("prod", "staleness"));
}
END_TEST

START_TEST(a_stream_not_yet_ready_sends_only_an_unknown_staleness) {
  wf_watch(&w, &conf, WF_KEY "Domain \"a.example.com\"\n");
  build();
  ck_assert_uint_eq(count_of("a.example.com", ""), 1);
  const report_value_t *v = find("a.example.com", "staleness");
  ck_assert(v != NULL && isnan(v->gauge));
  ck_assert(isnan(find("prod", "staleness")->gauge));
}
END_TEST

START_TEST(the_quota_and_error_codes_are_the_accounts) {
  wf_watch(&w, &conf, WF_KEY "Domain \"a.example.com\"\n");
  resp_quota_t q = {.count = 2};
  snprintf(q.items[0].kind, sizeof(q.items[0].kind), "url");
  q.items[0].value = 1000;
  snprintf(q.items[1].kind, sizeof(q.items[1].kind), "url");
  q.items[1].figure = RESP_QUOTA_REMAIN;
  q.items[1].value = 990;
  selfstats_error(&stats, "Throttling.User");
  report_input_t in = {"dcdn", "prod", &w, &stats, &q, NULL, 0, NOW, 0.002};
  ck_assert_int_eq(report_build(&in, &r), 0);
  ck_assert_double_eq(find("prod", "read_callback")->gauge, 0.002);
  ck_assert_double_eq(find("prod", "quota-url")->gauge, 1000);
  ck_assert_double_eq(find("prod", "remain-url")->gauge, 990);
  ck_assert_uint_eq(find("prod", "Throttling.User")->counter, 1);
  ck_assert_str_eq(r.plugin, "dcdn");
}
END_TEST

/* Every family has rows, every row one family: Report's words name them
 * all. */
START_TEST(every_row_belongs_to_one_family) {
  unsigned seen = 0;
  for (size_t i = 0; i < report_metric_count; i++) {
    unsigned f = report_metrics[i].family;
    ck_assert(f != 0 && (f & (f - 1)) == 0 && (f & CONF_REPORT_ALL) == f);
    seen |= f;
  }
  ck_assert_uint_eq(seen, CONF_REPORT_ALL & ~CONF_REPORT_STALENESS);
}
END_TEST

static const unit_case_t test_case = {.teardown = teardown};

int main(void) {
  const TTest *const tests[] = {
      a_ready_domain_sends_every_family_by_default,
      report_keeps_only_the_families_named,
      a_domain_report_overrides_its_accounts,
      report_none_sends_no_domain_value,
      a_stream_not_yet_ready_sends_only_an_unknown_staleness,
      the_quota_and_error_codes_are_the_accounts,
      every_row_belongs_to_one_family,
  };
  return unit_main("report", tests, N_OF(tests), &test_case);
}
