/* Arrays that double: room for one more without losing what they hold,
 * and rows indexed by domain number, new ones zeroed. */
#include "core/grow.h"

#include "unit.h"

#include <check.h>
#include <stdlib.h>

START_TEST(room_for_one_more_keeps_every_element) {
  int *items = NULL;
  size_t cap = 0;
  for (size_t n = 0; n < 5000; n++) {
    ck_assert_int_eq(grow_for_one((void **)&items, &cap, n, sizeof(*items)), 0);
    ck_assert_uint_gt(cap, n);
    items[n] = (int)n;
  }
  for (size_t n = 0; n < 5000; n++)
    ck_assert_int_eq(items[n], (int)n);
  free(items);
}
END_TEST

START_TEST(a_row_far_ahead_is_made_and_the_rows_between_are_zeroed) {
  long *rows = NULL;
  size_t count = 0;
  long *r = grow_row((void **)&rows, &count, 4 * sizeof(long), 2);
  ck_assert_ptr_nonnull(r);
  ck_assert_uint_ge(count, 3);
  r[0] = 7;
  r = grow_row((void **)&rows, &count, 4 * sizeof(long), 100);
  ck_assert_uint_ge(count, 101);
  ck_assert_int_eq(rows[2 * 4], 7); /* kept */
  for (size_t i = 3 * 4; i < count * 4; i++)
    ck_assert_int_eq(rows[i], 0);
  /* A row that exists is given back as it is. */
  ck_assert_ptr_eq(grow_row((void **)&rows, &count, 4 * sizeof(long), 2),
                   &rows[2 * 4]);
  free(rows);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      room_for_one_more_keeps_every_element,
      a_row_far_ahead_is_made_and_the_rows_between_are_zeroed,
  };
  return unit_main("grow", tests, N_OF(tests), NULL);
}
