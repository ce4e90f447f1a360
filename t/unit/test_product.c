/* The product table: every row complete, the Product words its names, and
 * what differs between DCDN and CDN is data. */
#include "core/product.h"

#include "unit.h"

#include <check.h>
#include <string.h>

START_TEST(every_row_is_complete_and_named_by_product_names) {
  for (size_t i = 0; i < PRODUCT_COUNT; i++) {
    const product_t *p = &products[i];
    ck_assert_str_eq(product_names[i], p->name);
    ck_assert(p->label && p->version && p->endpoint && p->list_action &&
              p->quota_action && p->ram_policy && p->pair_param &&
              p->type_param && p->path_member && p->type_member &&
              p->created_member);
    /* Without an account-wide list nothing names the tasks of a domain
     * but its site: a product lists by domain or by site. */
    ck_assert(p->account_list == (p->sites_action == NULL));
    /* Every type of the product has its Type value. */
    for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
      ck_assert(!product_has_type(p, t) || p->type_api[t] != NULL);
    ck_assert(p->page_size >= 1 && p->page_size <= 100);
    ck_assert_uint_gt(p->quota_kind_count, 0);
    ck_assert(strncmp(p->endpoint, "https://", 8) == 0);
    ck_assert_ptr_eq(product_find(p->name), p);
  }
  ck_assert_ptr_null(product_names[PRODUCT_COUNT]);
}
END_TEST

START_TEST(cdn_differs_from_dcdn_in_its_row) {
  const product_t *dcdn = product_find("dcdn"), *cdn = product_find("CDN");
  ck_assert_ptr_nonnull(cdn);
  ck_assert_int_eq(dcdn->page_size, 50);
  ck_assert_int_eq(cdn->page_size, 100); /* fewer calls */
  ck_assert_str_eq(cdn->task_wrapper, "CDNTask");
  ck_assert_str_eq(cdn->list_action, "DescribeRefreshTasks");
  ck_assert_str_eq(cdn->version, "2018-05-10");
  ck_assert_uint_eq(cdn->quota_kind_count, dcdn->quota_kind_count + 1);
  ck_assert_ptr_null(product_find("esa-not-yet"));
}
END_TEST

START_TEST(esa_lists_by_site_with_a_type_and_has_no_lookup_by_id) {
  const product_t *esa = product_find("ESA");
  ck_assert_ptr_eq(esa, &products[PRODUCT_ESA]);
  ck_assert_ptr_null(esa->byid_action);
  ck_assert_ptr_null(esa->task_wrapper); /* a flat Tasks[] */
  ck_assert(!esa->account_list && esa->quota_by_type);
  char types[160];
  product_type_list(esa, types, sizeof(types));
  ck_assert_str_eq(types, "file, directory, preload, cachetag, "
                          "ignore_params, hostname, purgeall");
  product_type_list(&products[PRODUCT_DCDN], types, sizeof(types));
  ck_assert_str_eq(types, "file, directory, regex, preload");
  ck_assert(!product_has_type(esa, TASK_TYPE_REGEX));
  ck_assert(!product_has_type(&products[PRODUCT_CDN], TASK_TYPE_CACHETAG));
}
END_TEST

/* The query of one stream: DCDN's names the domain, ESA's the site; the
 * type as the API spells it; ESA's preloads have an action of their own,
 * with no Type. */
START_TEST(a_pair_query_names_its_stream_as_the_product_does) {
  params_t p = PARAMS_INIT;
  ck_assert_str_eq(product_pair_query(&products[PRODUCT_CDN], "a.example.com",
                                      0, TASK_TYPE_REGEX, &p),
                   "DescribeRefreshTasks");
  ck_assert_str_eq(params_get(&p, "DomainName"), "a.example.com");
  ck_assert_str_eq(params_get(&p, "ObjectType"), "regex");
  params_free(&p);
  const product_t *esa = &products[PRODUCT_ESA];
  ck_assert_str_eq(product_pair_query(esa, "www.example.net", 1200000000001,
                                      TASK_TYPE_IGNORE_PARAMS, &p),
                   "DescribePurgeTasks");
  ck_assert_uint_eq(p.count, 2);
  ck_assert_str_eq(params_get(&p, "SiteId"), "1200000000001");
  ck_assert_str_eq(params_get(&p, "Type"), "ignoreParams");
  params_free(&p);
  ck_assert_str_eq(product_pair_query(esa, "www.example.net", 18446744073709551615u,
                                      TASK_TYPE_PRELOAD, &p),
                   "DescribePreloadTasks");
  ck_assert_uint_eq(p.count, 1);
  ck_assert_str_eq(params_get(&p, "SiteId"), "18446744073709551615");
  ck_assert_ptr_null(product_pair_query(esa, "x.net", 1, TASK_TYPE_REGEX, &p));
  params_free(&p);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      every_row_is_complete_and_named_by_product_names,
      cdn_differs_from_dcdn_in_its_row,
      esa_lists_by_site_with_a_type_and_has_no_lookup_by_id,
      a_pair_query_names_its_stream_as_the_product_does,
  };
  return unit_main("product", tests, N_OF(tests), NULL);
}
