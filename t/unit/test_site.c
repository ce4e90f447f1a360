/* ESA's sites: which site holds a domain, ListSites' answer, which quota
 * calls the sites need, and ESA's task and quota answers as the parser
 * reads them by the product's row. */
#include "core/resp.h"
#include "core/site.h"

#include "unit.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const product_t *esa = &products[PRODUCT_ESA];
static char why[256];

static sites_t two_sites(void) {
  sites_t s = SITES_INIT;
  ck_assert_int_eq(sites_add(&s, 1200000000001, "Example.NET"), 0);
  ck_assert_int_eq(sites_add(&s, 1200000000003, "shop.example.net"), 0);
  return s;
}

/* The longest site name equal to the domain or ending it at a dot. */
START_TEST(a_domain_belongs_to_the_longest_site_that_ends_it) {
  sites_t s = two_sites();
  ck_assert_uint_eq(sites_find_for(&s, "example.net")->id, 1200000000001);
  ck_assert_uint_eq(sites_find_for(&s, "www.example.net")->id, 1200000000001);
  ck_assert_uint_eq(sites_find_for(&s, "a.shop.example.net")->id,
                    1200000000003);
  ck_assert_uint_eq(sites_find_for(&s, "shop.example.net")->id, 1200000000003);
  ck_assert_ptr_null(sites_find_for(&s, "myexample.net"));
  ck_assert_ptr_null(sites_find_for(&s, "net"));
  ck_assert_str_eq(s.items[0].name, "example.net"); /* lowered */
  /* A peer's name that is no host name is refused. */
  ck_assert_int_eq(sites_add(&s, 5, "a b.net"), -1);
  ck_assert_int_eq(sites_add(&s, 0, "ok.net"), -1);
  ck_assert_uint_eq(s.count, 2);
  sites_free(&s);
}
END_TEST

static domtab_t table(conf_domain_t *domains, size_t n) {
  conf_account_t account = {.domains = domains, .domain_count = n,
                            .notify = CONF_NOTIFY_ALL, .report = CONF_REPORT_ALL};
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &account), 0);
  return tab;
}

#define FILE_DIR ((1u << TASK_TYPE_FILE) | (1u << TASK_TYPE_DIRECTORY))
#define PRELOAD (1u << TASK_TYPE_PRELOAD)

/* A SiteId is kept; the others are looked up, and one on no site stays
 * unknown (ListSites is due again). The quota: each site and purge type
 * once, none for preloads. */
START_TEST(sites_are_assigned_and_their_quota_calls_listed_once) {
  conf_domain_t domains[] = {
      {.name = (char *)"www.example.net", .type_mask = FILE_DIR | PRELOAD},
      {.name = (char *)"img.example.net", .type_mask = FILE_DIR},
      {.name = (char *)"lost.example.org", .type_mask = FILE_DIR},
      {.name = (char *)"own.example.io", .type_mask = PRELOAD, .site_id = 77},
  };
  domtab_t tab = table(domains, N_OF(domains));
  ck_assert(sites_lookup_due(&tab));
  sites_t s = two_sites();
  ck_assert_uint_eq(sites_assign(&s, &tab, 0), 1);
  ck_assert_uint_eq(tab.entries[0].site_id, 1200000000001);
  ck_assert_uint_eq(tab.entries[1].site_id, 1200000000001);
  ck_assert_uint_eq(tab.entries[2].site_id, 0);
  ck_assert_uint_eq(tab.entries[3].site_id, 77);
  ck_assert(sites_lookup_due(&tab));
  /* A site's owner: its shortest domain (img before www), of those that
   * report the type; none on a site no domain is on. */
  ck_assert_uint_eq(sites_owner(&tab, 1200000000001, TASK_TYPE_UNKNOWN), 1);
  ck_assert_uint_eq(sites_owner(&tab, 1200000000001, TASK_TYPE_PRELOAD), 0);
  ck_assert_uint_eq(sites_owner(&tab, 77, TASK_TYPE_FILE), DOMTAB_NONE);
  ck_assert_uint_eq(sites_owner(&tab, 99, TASK_TYPE_UNKNOWN), DOMTAB_NONE);
  /* Files name their host: every domain reports its own. Prefetches taken
   * as hostless here: www's, the only one reporting them, stay; a type
   * two report goes to the owner alone. */
  sites_settle_owners(&tab, (1u << TASK_TYPE_PRELOAD) | (1u << TASK_TYPE_DIRECTORY));
  ck_assert_uint_eq(tab.entries[0].not_owner, 1u << TASK_TYPE_DIRECTORY);
  ck_assert_uint_eq(tab.entries[1].not_owner, 0);
  ck_assert_uint_eq(tab.entries[2].not_owner, 0); /* no site: not read */
  site_quota_call_t *calls = NULL;
  ck_assert_int_eq(sites_quota_calls(esa, &tab, &calls), 2);
  ck_assert_uint_eq(calls[0].site_id, 1200000000001);
  ck_assert_uint_eq(calls[0].type, TASK_TYPE_FILE);
  ck_assert_uint_eq(calls[1].type, TASK_TYPE_DIRECTORY);
  free(calls);
  ck_assert_int_eq(sites_quota_calls(&products[PRODUCT_DCDN], &tab, &calls), 0);
  free(calls);
  sites_free(&s);
  domtab_free(&tab);
}
END_TEST

START_TEST(list_sites_pages_are_read_and_bad_sites_named) {
  resp_sites_t page = {SITES_INIT, 0, 0, 0, ""};
  resp_error_t err = {0};
  ck_assert_int_eq(
      resp_parse_sites(esa,
                       "{\"TotalCount\":2,\"PageNumber\":1,\"Sites\":["
                       "{\"SiteId\":1200000000001,\"SiteName\":\"example.net\"},"
                       "{\"SiteId\":\"1200000000002\",\"SiteName\":\"shop.example.io\"}]}",
                       &page, &err, why, sizeof(why)),
      RESP_OK);
  ck_assert_int_eq(page.total_count, 2);
  ck_assert_uint_eq(page.listed, 2);
  ck_assert_uint_eq(page.sites.items[1].id, 1200000000002);
  /* A site that does not read is left out; the others count. */
  ck_assert_int_eq(resp_parse_sites(esa,
                                    "{\"TotalCount\":3,\"Sites\":[{\"SiteId\":-3,"
                                    "\"SiteName\":\"x.net\"},{\"SiteId\":3,"
                                    "\"SiteName\":\"x\\ny.net\"},{\"SiteId\":4,"
                                    "\"SiteName\":\"z.net\"}]}",
                                    &page, &err, why, sizeof(why)),
                   RESP_OK);
  ck_assert_uint_eq(page.listed, 1);
  ck_assert_uint_eq(page.skipped, 2);
  ck_assert_str_eq(page.skipped_why, "Sites[0].SiteId is not a site id");
  ck_assert_str_eq(page.sites.items[2].name, "z.net");
  ck_assert_int_eq(resp_parse_sites(esa,
                                    "{\"TotalCount\":1,\"Sites\":[{\"SiteId\":3,"
                                    "\"SiteName\":\"x\\ny.net\"}]}",
                                    &page, &err, why, sizeof(why)),
                   RESP_OK);
  ck_assert_str_eq(page.skipped_why, "Sites[0].SiteName is not a host name");
  ck_assert_int_eq(resp_parse_sites(esa, "{\"TotalCount\":1,\"Sites\":{}}",
                                    &page, &err, why, sizeof(why)),
                   RESP_MALFORMED);
  ck_assert_int_eq(resp_parse_sites(esa, "{\"Code\":\"Forbidden.RAM\"}", &page,
                                    &err, why, sizeof(why)),
                   RESP_API_ERROR);
  ck_assert_str_eq(err.code, "Forbidden.RAM");
  resp_error_free(&err);
  sites_free(&page.sites);
}
END_TEST

/* DescribePurgeTasks' flat Tasks[] with Content, Type and CreateTime;
 * DescribePreloadTasks' has no Type and writes its time with a space. */
START_TEST(esa_tasks_are_read_by_the_products_members) {
  resp_page_t page;
  resp_error_t err;
  const char *body =
      "{\"TotalCount\":3,\"PageNumber\":1,\"PageSize\":50,\"Tasks\":["
      "{\"TaskId\":\"16346513304\",\"Content\":\"http://a.example.net/1.jpg\","
      "\"Type\":\"ignoreParams\",\"Status\":\"Complete\",\"Process\":\"100%\","
      "\"CreateTime\":\"2023-07-26T01:56:15Z\",\"Description\":\"\"},"
      "{\"TaskId\":\"1597854579687428\",\"Content\":\"http://a.example.net/2\","
      "\"Status\":\"Failed\",\"Process\":\"0%\",\"CreateTime\":\"2023-03-28 "
      "14:28:57\",\"Description\":\"Origin Timeout\"},"
      "{\"TaskId\":\"9\",\"Content\":\"tag-a\",\"Type\":\"cachetag\","
      "\"Status\":\"Refreshing\",\"CreateTime\":\"2023-03-28\"}]}";
  /* As DescribePurgeTasks' answer, a task without Type is unreadable. */
  ck_assert_int_eq(resp_parse_tasks(esa, body, &page, &err, why, sizeof(why)),
                   RESP_OK);
  ck_assert_uint_eq(page.count, 1);
  ck_assert_uint_eq(page.skipped_count, 2);
  ck_assert_str_eq(page.skipped[0].field, "Type");
  resp_page_free(&page);
  resp_error_free(&err);
  /* As DescribePreloadTasks', it is a prefetch. */
  ck_assert_int_eq(resp_parse_tasks_as(esa, TASK_TYPE_PRELOAD, body, &page,
                                       &err, why, sizeof(why)),
                   RESP_OK);
  ck_assert_uint_eq(page.count, 2);
  ck_assert_int_eq(page.tasks[0].type, TASK_TYPE_IGNORE_PARAMS);
  ck_assert_str_eq(page.tasks[0].object_path, "http://a.example.net/1.jpg");
  ck_assert_int_eq(page.tasks[0].created, 1690336575);
  ck_assert_int_eq(page.tasks[1].type, TASK_TYPE_PRELOAD);
  ck_assert_int_eq(page.tasks[1].status, TASK_STATUS_FAILED);
  ck_assert_int_eq(page.tasks[1].created, 1680013737);
  ck_assert_str_eq(page.tasks[1].description, "Origin Timeout");
  /* A time of neither form: the task is skipped, naming CreateTime. */
  ck_assert_uint_eq(page.skipped_count, 1);
  ck_assert_str_eq(page.skipped[0].field, "CreateTime");
  resp_page_free(&page);
  resp_error_free(&err);
  /* A wrapped Tasks is not ESA's. */
  ck_assert_int_eq(resp_parse_tasks(esa, "{\"TotalCount\":0,\"Tasks\":{\"Task\":[]}}",
                                    &page, &err, why, sizeof(why)),
                   RESP_MALFORMED);
  ck_assert_str_eq(why, "field \"Tasks\" is not an array");
  resp_page_free(&page);
  resp_error_free(&err);
}
END_TEST

/* GetPurgeQuota: Quota (the day's total) and Usage (used), strings; the
 * 30-day members are not figures of the day. */
START_TEST(esa_quota_is_a_total_and_what_was_used) {
  resp_quota_t q;
  resp_error_t err;
  ck_assert_int_eq(resp_parse_quota(esa,
                                    "{\"RequestId\":\"r\",\"Quota\":\"5000\","
                                    "\"Usage\":\"120\",\"Quota30Day\":\"0\","
                                    "\"Usage30Day\":\"9\"}",
                                    &q, &err, why, sizeof(why)),
                   RESP_OK);
  ck_assert_uint_eq(q.count, 2);
  ck_assert_int_eq(q.items[0].figure, RESP_QUOTA_TOTAL);
  ck_assert_double_eq(q.items[0].value, 5000);
  ck_assert_int_eq(q.items[1].figure, RESP_QUOTA_USED);
  ck_assert_double_eq(q.items[1].value, 120);
  ck_assert_uint_eq(q.unknown_count, 0);
  resp_error_free(&err);
}
END_TEST

#include "core/plan.h"
#include "core/site_quota.h"

/* More quota calls than a poll's share: asked in turn, poll after poll;
 * a refused one is skipped; a new list keeps the answers it shares. */
START_TEST(quota_calls_beyond_the_share_are_made_in_turn) {
  site_quota_call_t calls[] = {{1, 0}, {1, 1}, {2, 0}, {2, 1}, {3, 0}};
  site_quota_slots_t s = SITE_QUOTA_SLOTS_INIT;
  ck_assert_int_eq(site_quota_sync(&s, calls, 5), 0);
  size_t turn[5];
  ck_assert_uint_eq(site_quota_turn(&s, 2, turn), 2);
  ck_assert_uint_eq(turn[0], 0);
  ck_assert_uint_eq(turn[1], 1);
  s.items[2].refused = true;
  ck_assert_uint_eq(site_quota_turn(&s, 2, turn), 2);
  ck_assert_uint_eq(turn[0], 3);
  ck_assert_uint_eq(turn[1], 4);
  ck_assert_uint_eq(site_quota_turn(&s, 9, turn), 4); /* every one, once */
  s.items[4].have = true;
  s.items[4].answer.count = 1;
  /* Site 1 gone: the answers of the others stay. */
  ck_assert_int_eq(site_quota_sync(&s, calls + 2, 3), 0);
  ck_assert(s.items[0].refused);
  ck_assert(s.items[2].have);
  ck_assert_uint_eq(s.items[2].answer.count, 1);
  site_quota_free(&s);
}
END_TEST

/* One quota call keeps one call of the lists'; many take a quarter. */
START_TEST(the_quota_keeps_a_quarter_of_the_budget_at_most) {
  ck_assert_int_eq(plan_quota_reserve(1, 40), 1);
  ck_assert_int_eq(plan_quota_reserve(1, 1), 0);
  ck_assert_int_eq(plan_quota_reserve(0, 40), 0);
  ck_assert_int_eq(plan_quota_reserve(42, 40), 10);
  ck_assert_int_eq(plan_quota_reserve(6, 40), 6);
  ck_assert_int_eq(plan_quota_reserve(6, 3), 1);
  ck_assert_int_eq(plan_quota_reserve(6, 2), 1);
  ck_assert_int_eq(plan_quota_reserve(6, 1), 0);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      a_domain_belongs_to_the_longest_site_that_ends_it,
      sites_are_assigned_and_their_quota_calls_listed_once,
      list_sites_pages_are_read_and_bad_sites_named,
      esa_tasks_are_read_by_the_products_members,
      esa_quota_is_a_total_and_what_was_used,
      quota_calls_beyond_the_share_are_made_in_turn,
      the_quota_keeps_a_quarter_of_the_budget_at_most,
  };
  return unit_main("site", tests, N_OF(tests), NULL);
}
