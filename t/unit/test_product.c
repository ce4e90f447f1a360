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
    ck_assert(p->label && p->version && p->endpoint && p->list_action && p->byid_action &&
              p->quota_action && p->task_wrapper && p->ram_policy);
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

int main(void) {
  const TTest *const tests[] = {
      every_row_is_complete_and_named_by_product_names,
      cdn_differs_from_dcdn_in_its_row,
  };
  return unit_main("product", tests, N_OF(tests), NULL);
}
