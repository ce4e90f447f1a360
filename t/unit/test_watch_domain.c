/* The watch, domain mode and failures: in which order the (domain, type)
 * queries run, how their tasks in flight are refreshed, what each failed
 * call means, and that an answer holding tasks of other domains stays
 * inside every table. */
#include "core/gauges.h"
#include "core/plan.h"
#include "core/statefile.h"
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
#define FILE_T TASK_TYPE_FILE
#define PRELOAD TASK_TYPE_PRELOAD

/* Domains a, b and c (0, 1, 2): a and c report files, b files and
 * preloads. */
#define THREE_DOMAINS                                                          \
  WF_KEY "QueryMode \"domain\"\n"                                              \
         "<Domain \"a.example.com\">\n  ObjectType \"file\"\n</Domain>\n"      \
         "<Domain \"b.example.com\">\n  ObjectType \"file\" \"preload\"\n"     \
         "</Domain>\n"                                                         \
         "<Domain \"c.example.com\">\n  ObjectType \"file\"\n</Domain>\n"

static conf_t conf;
static watch_t w;

static void teardown(void) {
  watch_free(&w);
  conf_free(&conf);
}

static const watch_pair_t a_files = {0, FILE_T}, b_files = {1, FILE_T},
                          b_preloads = {1, PRELOAD}, c_files = {2, FILE_T};

/* The pairs in the order the watch gives them: exactly `expect`. */
static void assert_order(const watch_pair_t *expect, size_t n) {
  watch_pair_t *pairs = NULL;
  long got = watch_domain_order(&w, NOW, &pairs);
  ck_assert_int_eq(got, (long)n);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(pairs[i].domain == expect[i].domain &&
                      pairs[i].type == expect[i].type,
                  "pair %zu is %u/%u, not %u/%u", i, pairs[i].domain,
                  pairs[i].type, expect[i].domain, expect[i].type);
  free(pairs);
}

/* ---- the order of the queries ---- */

START_TEST(streams_never_read_come_first_in_a_fixed_order) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  const watch_pair_t expect[] = {a_files, b_files, b_preloads, c_files};
  assert_order(expect, N_OF(expect));
}
END_TEST

START_TEST(the_stalest_stream_is_read_first) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  wf_cover(&w, 0, FILE_T, NOW - 2 * HOUR, NOW - 10);
  wf_cover(&w, 1, FILE_T, NOW - 2 * HOUR, NOW - 300);
  wf_cover(&w, 1, PRELOAD, NOW - 2 * HOUR, NOW - 100);
  wf_cover(&w, 2, FILE_T, NOW - 2 * HOUR, NOW - 300);
  /* b and c are as stale: domain order between them. */
  const watch_pair_t expect[] = {b_files, c_files, b_preloads, a_files};
  assert_order(expect, N_OF(expect));
}
END_TEST

START_TEST(a_stream_not_read_over_the_whole_lookback_counts_as_never_read) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  wf_cover_all(&w, NOW - 2 * HOUR, NOW - 300);
  /* Read up to a second ago, but over its last ten minutes only. */
  wf_cover(&w, 2, FILE_T, NOW - 600, NOW - 1);
  const watch_pair_t expect[] = {c_files, a_files, b_files, b_preloads};
  assert_order(expect, N_OF(expect));
}
END_TEST

START_TEST(domains_and_types_not_reported_are_not_queried) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  domtab_add_dormant(&w.domains, "gone.example.com");
  wf_cover(&w, 3, FILE_T, NOW - 2 * HOUR, NOW - 10);
  const watch_pair_t expect[] = {a_files, b_files, b_preloads, c_files};
  assert_order(expect, N_OF(expect));
}
END_TEST

/* ---- one pair's window ---- */

START_TEST(a_pairs_window_goes_on_from_its_own_coverage) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  wf_cover(&w, 0, FILE_T, NOW - 2 * HOUR, NOW - 60);
  ck_assert(watch_pair_begin(&w, a_files, NOW));
  const plan_cursor_t *c = streams_get(&w.streams, 0, FILE_T);
  ck_assert_int_eq(c->window.start, NOW - 60 - PLAN_OVERLAP);
  ck_assert_int_eq(c->window.end, NOW);
  ck_assert(watch_pair_begin(&w, b_files, NOW));
  ck_assert_int_eq(streams_get(&w.streams, 1, FILE_T)->window.start,
                   NOW - HOUR);
  watch_pair_done(&w, a_files);
  ck_assert_int_eq(watch_covered(&w, 0, FILE_T), NOW);
  ck_assert(!watch_pair_begin(&w, a_files, NOW));
}
END_TEST

/* ESA: a.example.net and www.example.net on site 7, shop.example.io on 9;
 * files only. */
#define ESA_SITES                                                              \
  WF_KEY "Product \"esa\"\n"                                                   \
         "<Domain \"a.example.net\">\n  SiteId 7\n  ObjectType \"file\"\n"     \
         "</Domain>\n"                                                         \
         "<Domain \"shop.example.io\">\n  SiteId 9\n  ObjectType \"file\"\n"   \
         "</Domain>\n"                                                         \
         "<Domain \"www.example.net\">\n  SiteId 7\n  ObjectType \"file\"\n"   \
         "</Domain>\n"

/* One query of a site reads its domains' tasks: the window reaches as far
 * back as any of them needs (www never read: the whole Lookback), and
 * covers them all; the other site's domain is not covered by it. ESA
 * queries by domain from the start and cannot look tasks up by id. */
START_TEST(domains_of_one_site_share_its_window) {
  wf_watch(&w, &conf, ESA_SITES);
  ck_assert(w.domain_mode && w.byid_refused && w.by_site);
  watch_pair_t a = {0, FILE_T}, shop = {1, FILE_T}, www = {2, FILE_T};
  wf_cover(&w, 0, FILE_T, NOW - 2 * HOUR, NOW - 60);
  ck_assert(watch_pair_begin(&w, a, NOW));
  ck_assert_int_eq(streams_get(&w.streams, 0, FILE_T)->window.start,
                   NOW - HOUR);
  watch_pair_done(&w, a);
  ck_assert_int_eq(watch_covered(&w, 2, FILE_T), NOW);
  ck_assert(watch_ready(&w, 2, FILE_T, NOW));
  ck_assert(!watch_pair_begin(&w, www, NOW));
  ck_assert_int_eq(watch_covered(&w, 1, FILE_T), 0);
  ck_assert(watch_pair_begin(&w, shop, NOW));
}
END_TEST

/* A site's answer counts for its own domains only; a cache tag counts for
 * the owner the shell names; a domain with no site yet is not queried. */
START_TEST(a_sites_answer_counts_for_its_domains_only) {
  wf_watch(&w, &conf, ESA_SITES);
  task_t t = wf_task("1", "https://shop.example.io/x", TASK_TYPE_FILE,
                     TASK_STATUS_COMPLETE, NOW - 60);
  t.site_id = 7;
  watch_seen_t seen;
  watch_observe(&w, &t, NOW, &seen);
  ck_assert_int_eq(seen.verdict, WATCH_NOT_REPORTED);
  t.site_id = 9;
  watch_observe(&w, &t, NOW, &seen);
  ck_assert_int_eq(seen.verdict, WATCH_TRACKED);
  ck_assert_uint_eq(seen.domain, 1);
  task_t tag = wf_task("2", "www.example.net", TASK_TYPE_FILE,
                       TASK_STATUS_COMPLETE, NOW - 60);
  tag.site_id = 7;
  tag.owner_host = "a.example.net";
  watch_observe(&w, &tag, NOW, &seen);
  ck_assert_uint_eq(seen.domain, 0);
  w.domains.entries[2].site_id = 0;
  ck_assert(!watch_pair_begin(&w, (watch_pair_t){2, FILE_T}, NOW));
}
END_TEST

/* Cache tags are the site owner's alone (a.example.net, the shortest);
 * one tracked for another domain (the owner changed with the
 * configuration) counts anew for the owner, as on a cold start. */
START_TEST(cache_tags_are_the_site_owners_and_move_with_it) {
  wf_watch(&w, &conf,
           WF_KEY "Product \"esa\"\n"
                  "<Domain \"a.example.net\">\n  SiteId 7\n"
                  "  ObjectType \"cachetag\"\n</Domain>\n"
                  "<Domain \"www.example.net\">\n  SiteId 7\n"
                  "  ObjectType \"cachetag\" \"file\"\n</Domain>\n");
  ck_assert(watch_reports(&w, 0, TASK_TYPE_CACHETAG));
  ck_assert(!watch_reports(&w, 1, TASK_TYPE_CACHETAG));
  ck_assert(watch_reports(&w, 1, TASK_TYPE_FILE));
  wf_put(&w, 5, NOW - 60, 1, TASK_TYPE_CACHETAG, TASK_STATUS_COMPLETE,
         LIFECYCLE_COUNTED);
  task_t tag = wf_task("5", "tag-a", TASK_TYPE_CACHETAG, TASK_STATUS_COMPLETE,
                       NOW - 60);
  tag.site_id = 7;
  tag.owner_host = "a.example.net";
  watch_seen_t seen;
  watch_observe(&w, &tag, NOW, &seen);
  ck_assert_int_eq(seen.verdict, WATCH_TRACKED);
  ck_assert_uint_eq(seen.domain, 0);
  ck_assert_uint_eq(tasktable_get(&w.tasks, 5)->domain, 0);
  ck_assert_uint_eq(lifetime_get(&w.lifetime, 0, TASK_TYPE_CACHETAG)->completed, 1);
}
END_TEST

/* SiteNotFound: a site found with ListSites is looked up again (its
 * domains' site unknown); one given by SiteId stays. */
START_TEST(a_site_gone_is_looked_up_again_unless_given) {
  wf_watch(&w, &conf, ESA_SITES);
  w.domains.entries[0].site_given = false; /* a.example.net: looked up */
  watch_pair_t a = {0, FILE_T};
  bool first;
  ck_assert_int_eq(watch_on_failure(&w, WATCH_CALL_PAIR_LIST, &a,
                                    "SiteNotFound", 404, &first),
                   WATCH_FAIL_PAIR);
  ck_assert(first);
  ck_assert_uint_eq(w.domains.entries[0].site_id, 0);
  ck_assert_uint_eq(w.domains.entries[2].site_id, 7); /* given */
  ck_assert_uint_eq(w.domains.entries[1].site_id, 9);
}
END_TEST

/* a/file read up to a minute ago; tasks in flight of it and of b/file. */
static void in_flight_left_behind(void) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  wf_cover(&w, 0, FILE_T, NOW - 2 * HOUR, NOW - 60);
  wf_put(&w, 1, NOW - 5000, 0, FILE_T, TASK_STATUS_REFRESHING, 0);
  wf_put(&w, 2, NOW - 4000, 0, FILE_T, TASK_STATUS_PENDING, 0);
  wf_put(&w, 3, NOW - 30, 0, FILE_T, TASK_STATUS_PENDING, 0);
  wf_put(&w, 4, NOW - 9000, 1, FILE_T, TASK_STATUS_PENDING, 0);
  wf_put(&w, 5, NOW - 9000, 0, FILE_T, TASK_STATUS_COMPLETE, 1);
}

START_TEST(tasks_in_flight_that_their_streams_windows_miss_are_queued) {
  in_flight_left_behind();
  uint32_t gone = domtab_add_dormant(&w.domains, "gone.example.com");
  wf_put(&w, 6, NOW - 5000, gone, FILE_T, TASK_STATUS_PENDING, 0);
  wf_put(&w, 7, NOW - 5000, 0, PRELOAD, TASK_STATUS_PENDING, 0);
  ck_assert_int_eq(watch_queue_left_behind(&w, NOW), 0);
  /* 1, 2 and 4; not 3 (inside its window), 5 (finished) nor 6 and 7 (no
   * one reports them). */
  ck_assert_uint_eq(w.by_id.count, 3);
  bool seen[8] = {false};
  for (size_t i = 0; i < w.by_id.count; i++)
    seen[w.by_id.ids[i] < 8 ? w.by_id.ids[i] : 0] = true;
  ck_assert(seen[1] && seen[2] && seen[4]);
  /* Queued once while the batch is worked off. */
  ck_assert_int_eq(watch_queue_left_behind(&w, NOW + 60), 0);
  ck_assert_uint_eq(w.by_id.count, 3);
}
END_TEST

START_TEST(when_the_key_may_not_look_tasks_up_a_pair_reaches_back) {
  in_flight_left_behind();
  w.byid_refused = true;
  ck_assert_int_eq(watch_queue_left_behind(&w, NOW), 0);
  ck_assert(plan_idqueue_empty(&w.by_id));
  /* Back to its own oldest task in flight, not b's. */
  ck_assert(watch_pair_begin(&w, a_files, NOW));
  ck_assert_int_eq(streams_get(&w.streams, 0, FILE_T)->window.start,
                   NOW - 5000);
}
END_TEST

START_TEST(a_pair_reaches_back_only_when_the_key_may_not_look_tasks_up) {
  in_flight_left_behind();
  ck_assert(watch_pair_begin(&w, a_files, NOW));
  ck_assert_int_eq(streams_get(&w.streams, 0, FILE_T)->window.start,
                   NOW - 60 - PLAN_OVERLAP);
}
END_TEST

/* ---- failures ---- */

static watch_failure_t failure_of(watch_call_t call, const watch_pair_t *pair,
                                  const char *code, long status, bool *first) {
  return watch_on_failure(&w, call, pair, code, status, first);
}

START_TEST(auto_mode_switches_to_domain_mode_once_when_the_list_is_refused) {
  wf_watch(&w, &conf, WF_KEY "Domain \"a.example.com\"\n");
  ck_assert(!w.domain_mode);
  ck_assert_int_eq(watch_account_begin(&w, NOW), 1);
  ck_assert_int_eq(
      failure_of(WATCH_CALL_ACCOUNT_LIST, NULL, "Forbidden.RAM", 403, NULL),
      WATCH_FAIL_SWITCH);
  ck_assert(w.domain_mode);
  ck_assert(!w.scan.scanning);
  ck_assert_int_eq(
      failure_of(WATCH_CALL_ACCOUNT_LIST, NULL, "Forbidden.RAM", 403, NULL),
      WATCH_FAIL_POLL);
}
END_TEST

START_TEST(after_the_switch_domains_found_by_domain_star_are_reported_no_more) {
  wf_watch(&w, &conf,
           WF_KEY "QueryMode \"auto\"\nDomain \"*\" \"a.example.com\"\n");
  uint32_t found = domtab_resolve(&w.domains, "found.example.com");
  ck_assert(watch_reports(&w, found, TASK_TYPE_FILE));
  ck_assert_int_eq(
      failure_of(WATCH_CALL_ACCOUNT_LIST, NULL, "Forbidden.RAM", 403, NULL),
      WATCH_FAIL_SWITCH);
  /* Domain by domain, only the domains listed by name are read. */
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
    ck_assert(!watch_reports(&w, found, t));
  ck_assert(watch_reports(&w, wf_domain(&w, "a.example.com"), TASK_TYPE_FILE));
  watch_pair_t *pairs = NULL;
  long n = watch_domain_order(&w, NOW, &pairs);
  for (long i = 0; i < n; i++)
    ck_assert_uint_ne(pairs[i].domain, found);
  free(pairs);
}
END_TEST

START_TEST(account_mode_ends_the_poll_when_the_list_is_refused) {
  wf_watch(&w, &conf,
           WF_KEY "QueryMode \"account\"\nDomain \"a.example.com\"\n");
  ck_assert_int_eq(
      failure_of(WATCH_CALL_ACCOUNT_LIST, NULL, "Forbidden.RAM", 403, NULL),
      WATCH_FAIL_POLL);
  ck_assert(!w.domain_mode);
}
END_TEST

/* Failures that speak of the key, the clock or the endpoint. */
static const struct {
  const char *code;
  long status;
} account_trouble[] = {
    {"SignatureDoesNotMatch", 400},
    {"InvalidTimeStamp.Expired", 400},
    {"InvalidAccessKeyId.NotFound", 404},
    {"Throttling.User", 400},
    {"", 429},
    {"ServiceUnavailable", 503},
    {"", 500},
    {"", 0},   /* no answer */
    {"", 400}, /* an answer without a code */
};

START_TEST(any_other_failure_of_the_list_ends_the_poll) {
  wf_watch(&w, &conf, WF_KEY "Domain \"a.example.com\"\n");
  for (size_t i = 0; i < N_OF(account_trouble); i++)
    ck_assert_int_eq(failure_of(WATCH_CALL_ACCOUNT_LIST, NULL,
                                account_trouble[i].code,
                                account_trouble[i].status, NULL),
                     WATCH_FAIL_POLL);
  ck_assert(!w.domain_mode);
}
END_TEST

START_TEST(a_pairs_own_refusal_fails_that_pair_alone_said_once) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  bool first = false;
  ck_assert_int_eq(
      failure_of(WATCH_CALL_PAIR_LIST, &a_files, "Forbidden.RAM", 403, &first),
      WATCH_FAIL_PAIR);
  ck_assert(first);
  ck_assert_int_eq(
      failure_of(WATCH_CALL_PAIR_LIST, &a_files, "Forbidden.RAM", 403, &first),
      WATCH_FAIL_PAIR);
  ck_assert(!first);
  ck_assert_int_eq(failure_of(WATCH_CALL_PAIR_LIST, &b_files,
                              "InvalidParameter", 400, &first),
                   WATCH_FAIL_PAIR);
  ck_assert(first);
  /* It answers again: said once, then a new failure is worth a line. */
  ck_assert(watch_pair_recovered(&w, a_files));
  ck_assert(!watch_pair_recovered(&w, a_files));
  ck_assert(!watch_pair_recovered(&w, c_files));
  failure_of(WATCH_CALL_PAIR_LIST, &a_files, "Forbidden.RAM", 403, &first);
  ck_assert(first);
}
END_TEST

/* The pair's query is refused (Forbidden.RAM, a domain the key's policy
 * does not grant). */
static void refuse(watch_pair_t pair) {
  failure_of(WATCH_CALL_PAIR_LIST, &pair, "Forbidden.RAM", 403, NULL);
}

START_TEST(refused_pairs_go_after_every_pair_not_refused) {
  /* b's files and preloads never read, refused; a and c read lately: a
   * budget of two calls still reads a and c, whatever comes first by
   * staleness or domain order. */
  wf_watch(&w, &conf, THREE_DOMAINS);
  wf_cover_all(&w, NOW - 2 * HOUR, NOW - 10);
  wf_cover(&w, 1, FILE_T, 0, 0);
  wf_cover(&w, 1, PRELOAD, 0, 0);
  refuse(b_files);
  refuse(b_preloads);
  const watch_pair_t expect[] = {a_files, c_files, b_files, b_preloads};
  assert_order(expect, N_OF(expect));
  /* Granted again: back to its place by staleness. */
  watch_pair_recovered(&w, b_files);
  const watch_pair_t back[] = {b_files, a_files, c_files, b_preloads};
  assert_order(back, N_OF(back));
}
END_TEST

START_TEST(refused_pairs_take_turns_poll_by_poll) {
  /* Three refused, one granted: the granted goes first at every poll, and
   * each refused pair is first of the refused in turn, so that one the
   * key is granted again is found within as many polls. */
  wf_watch(&w, &conf, THREE_DOMAINS);
  refuse(b_files);
  refuse(b_preloads);
  refuse(c_files);
  const watch_pair_t turns[3][4] = {
      {a_files, b_files, b_preloads, c_files},
      {a_files, b_preloads, c_files, b_files},
      {a_files, c_files, b_files, b_preloads}};
  for (int poll = 0; poll < 6; poll++) {
    assert_order(turns[poll % 3], 4);
    watch_begin_poll(&w, NOW);
  }
}
END_TEST

START_TEST(trouble_of_the_account_in_a_pair_query_ends_the_poll) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  for (size_t i = 0; i < N_OF(account_trouble); i++) {
    bool first = true;
    ck_assert_msg(failure_of(WATCH_CALL_PAIR_LIST, &a_files,
                             account_trouble[i].code, account_trouble[i].status,
                             &first) == WATCH_FAIL_POLL,
                  "%s %ld", account_trouble[i].code, account_trouble[i].status);
    ck_assert(!first);
  }
  ck_assert(!watch_pair_recovered(&w, a_files));
}
END_TEST

START_TEST(a_refused_lookup_by_id_stops_lookups_and_drops_the_queue) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  plan_idqueue_push(&w.by_id, 1);
  ck_assert_int_eq(failure_of(WATCH_CALL_BY_ID, NULL, "Throttling", 400, NULL),
                   WATCH_FAIL_POLL);
  ck_assert(!w.byid_refused);
  ck_assert(!plan_idqueue_empty(&w.by_id));
  ck_assert_int_eq(
      failure_of(WATCH_CALL_BY_ID, NULL, "Forbidden.RAM", 403, NULL),
      WATCH_FAIL_BYID_REFUSED);
  ck_assert(w.byid_refused);
  ck_assert(plan_idqueue_empty(&w.by_id));
}
END_TEST

START_TEST(a_refused_quota_is_asked_no_more) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  ck_assert_int_eq(failure_of(WATCH_CALL_QUOTA, NULL, "", 0, NULL),
                   WATCH_FAIL_POLL);
  ck_assert(!w.quota_refused);
  ck_assert_int_eq(
      failure_of(WATCH_CALL_QUOTA, NULL, "Forbidden.RAM", 403, NULL),
      WATCH_FAIL_QUOTA_REFUSED);
  ck_assert(w.quota_refused);
}
END_TEST

/* ---- an answer holding tasks of other domains ---- */

static watch_verdict_t observe(const char *id, const char *path,
                               task_type_t type) {
  task_t t = wf_task(id, path, type, TASK_STATUS_FAILED, NOW - 60);
  watch_seen_t seen;
  watch_observe(&w, &t, NOW, &seen);
  return seen.verdict;
}

/* Everything a poll does after its answers, over every table. */
static void finish_the_poll(void) {
  watch_pair_t *pairs = NULL;
  ck_assert_int_ge(watch_domain_order(&w, NOW, &pairs), 0);
  free(pairs);
  ck_assert_int_eq(watch_queue_left_behind(&w, NOW), 0);
  gauges_t *counts = calloc(w.domains.count + 1, sizeof(*counts));
  ck_assert_ptr_nonnull(counts);
  gauges_count(&w.domains, &w.tasks, plan_oldest(NOW, w.lookback),
               plan_keep_oldest(NOW), counts);
  ck_assert_uint_eq(counts[1].count[FILE_T][TASK_STATUS_FAILED], 1);
  ck_assert_uint_eq(counts[0].count[FILE_T][TASK_STATUS_FAILED], 1);
  free(counts);
  strbuf_t text = STRBUF_INIT;
  statefile_owner_t owner;
  statefile_owner(&conf.accounts[0], &owner);
  statefile_format(&text, &owner, &w, false);
  ck_assert_ptr_nonnull(strbuf_str(&text));
  strbuf_free(&text);
  watch_expire(&w, NOW);
}

START_TEST(tasks_of_other_domains_in_a_pairs_answer_stay_inside_the_tables) {
  wf_watch(&w, &conf, THREE_DOMAINS);
  ck_assert(watch_pair_begin(&w, a_files, NOW));
  ck_assert_int_eq(observe("1", "a.example.com/x", FILE_T), WATCH_TRACKED);
  /* Another configured domain's task: its own stream's. */
  ck_assert_int_eq(observe("2", "b.example.com/x", FILE_T), WATCH_TRACKED);
  ck_assert_uint_eq(tasktable_get(&w.tasks, 2)->domain, 1);
  ck_assert_int_eq(observe("3", "c.example.com/x", PRELOAD),
                   WATCH_NOT_REPORTED);
  /* Domains never seen, many of them: none joins the table. */
  for (unsigned i = 0; i < 300; i++) {
    char id[16], path[64];
    snprintf(id, sizeof(id), "%u", 100 + i);
    snprintf(path, sizeof(path), "http://d%u.example.org/x", i);
    ck_assert_int_eq(observe(id, path, FILE_T), WATCH_NOT_REPORTED);
  }
  ck_assert_uint_eq(w.domains.count, 3);
  ck_assert_uint_eq(w.tasks.count, 2);
  ck_assert(plan_window_advance(&streams_at(&w.streams, 0, FILE_T)->window, 120,
                                PLAN_PAGE_SIZE));
  watch_pair_done(&w, a_files);
  finish_the_poll();
}
END_TEST

START_TEST(domains_found_while_a_window_is_read_grow_every_table) {
  /* The account-wide scan of Domain "*": each new domain grows the
   * domain, stream and counter tables while the window is read. */
  wf_watch(&w, &conf,
           WF_KEY "QueryMode \"account\"\nDomain \"b.example.com\" \"*\"\n");
  ck_assert_int_eq(watch_account_begin(&w, NOW), 1);
  ck_assert_int_eq(observe("1", "a.example.com/x", FILE_T), WATCH_TRACKED);
  for (unsigned i = 0; i < 300; i++) {
    char id[16], path[64];
    snprintf(id, sizeof(id), "%u", 100 + i);
    snprintf(path, sizeof(path), "http://d%u.example.org/x", i);
    ck_assert_int_eq(observe(id, path, PRELOAD), WATCH_TRACKED);
  }
  ck_assert_int_eq(observe("2", "b.example.com/x", FILE_T), WATCH_TRACKED);
  ck_assert_uint_eq(w.domains.count, 302);
  for (uint32_t d = 0; d < w.domains.count; d++)
    ck_assert_ptr_nonnull(streams_get(&w.streams, d, PRELOAD));
  watch_account_done(&w);
  ck_assert(watch_ready(&w, 301, PRELOAD, NOW));
  finish_the_poll();
}
END_TEST

static const unit_case_t test_case = {.teardown = teardown};

int main(void) {
  const TTest *const tests[] = {
      streams_never_read_come_first_in_a_fixed_order,
      domains_of_one_site_share_its_window,
      a_sites_answer_counts_for_its_domains_only,
      a_site_gone_is_looked_up_again_unless_given,
      cache_tags_are_the_site_owners_and_move_with_it,
      the_stalest_stream_is_read_first,
      a_stream_not_read_over_the_whole_lookback_counts_as_never_read,
      domains_and_types_not_reported_are_not_queried,
      a_pairs_window_goes_on_from_its_own_coverage,
      tasks_in_flight_that_their_streams_windows_miss_are_queued,
      when_the_key_may_not_look_tasks_up_a_pair_reaches_back,
      a_pair_reaches_back_only_when_the_key_may_not_look_tasks_up,
      auto_mode_switches_to_domain_mode_once_when_the_list_is_refused,
      after_the_switch_domains_found_by_domain_star_are_reported_no_more,
      account_mode_ends_the_poll_when_the_list_is_refused,
      any_other_failure_of_the_list_ends_the_poll,
      a_pairs_own_refusal_fails_that_pair_alone_said_once,
      refused_pairs_go_after_every_pair_not_refused,
      refused_pairs_take_turns_poll_by_poll,
      trouble_of_the_account_in_a_pair_query_ends_the_poll,
      a_refused_lookup_by_id_stops_lookups_and_drops_the_queue,
      a_refused_quota_is_asked_no_more,
      tasks_of_other_domains_in_a_pairs_answer_stay_inside_the_tables,
      domains_found_while_a_window_is_read_grow_every_table,
  };
  return unit_main("watch_domain", tests, N_OF(tests), &test_case);
}
