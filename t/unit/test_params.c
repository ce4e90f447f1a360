/* Name/value pairs for queries and headers: copies, kept in order until
 * sorted by name in byte order (as both signatures require), looked up by
 * exact name, and freed with their values wiped. */
#include "core/params.h"

#include "unit.h"

#include <check.h>
#include <string.h>

static params_t p;

static void setup(void) { p = (params_t)PARAMS_INIT; }
static void teardown(void) { params_free(&p); }

START_TEST(pairs_are_copies_kept_in_the_order_added) {
  char name[] = "PageSize", value[] = "50";
  ck_assert_int_eq(params_add(&p, name, value), 0);
  ck_assert_int_eq(params_add_long(&p, "PageNumber", 2), 0);
  name[0] = value[0] = 'X'; /* the caller's strings are not kept */
  ck_assert_uint_eq(p.count, 2);
  ck_assert_str_eq(p.items[0].name, "PageSize");
  ck_assert_str_eq(p.items[0].value, "50");
  ck_assert_str_eq(p.items[1].name, "PageNumber");
  ck_assert_str_eq(p.items[1].value, "2");
}
END_TEST

START_TEST(sorting_is_by_name_in_byte_order) {
  static const char *const names[] = {"b", "a", "B", "Ab", "A"};
  for (size_t i = 0; i < N_OF(names); i++)
    ck_assert_int_eq(params_add(&p, names[i], "v"), 0);
  params_sort(&p);
  static const char *const sorted[] = {"A", "Ab", "B", "a", "b"};
  for (size_t i = 0; i < N_OF(sorted); i++)
    ck_assert_str_eq(p.items[i].name, sorted[i]);
}
END_TEST

START_TEST(a_value_is_found_by_its_exact_name_only) {
  params_add(&p, "TaskId", "1,2");
  params_add(&p, "TaskId", "3");
  ck_assert_str_eq(params_get(&p, "TaskId"), "1,2");
  ck_assert_ptr_null(params_get(&p, "taskid"));
  ck_assert_ptr_null(params_get(&p, "Task"));
}
END_TEST

START_TEST(many_pairs_grow_the_list) {
  for (long i = 0; i < 1000; i++)
    ck_assert_int_eq(params_add_long(&p, "n", i), 0);
  ck_assert_uint_eq(p.count, 1000);
  ck_assert_str_eq(p.items[999].value, "999");
}
END_TEST

START_TEST(freeing_leaves_an_empty_list_that_can_be_used_again) {
  params_add(&p, "SecurityToken", "CAIS...");
  params_free(&p);
  ck_assert_uint_eq(p.count, 0);
  ck_assert_ptr_null(p.items);
  ck_assert_int_eq(params_add(&p, "a", "b"), 0);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      pairs_are_copies_kept_in_the_order_added,
      sorting_is_by_name_in_byte_order,
      a_value_is_found_by_its_exact_name_only,
      many_pairs_grow_the_list,
      freeing_leaves_an_empty_list_that_can_be_used_again,
  };
  static const unit_case_t test_case = {.setup = setup, .teardown = teardown};
  return unit_main("params", tests, N_OF(tests), &test_case);
}
