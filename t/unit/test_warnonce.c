/* One warning per value and kind: a broken or hostile peer gets a line for
 * each odd value it sends, once, and never a flood: each kind keeps a few
 * short keys, and a kind past its cap goes quiet alone. */
#include "core/warnonce.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static warnonce_t w;

static void setup(void) { memset(&w, 0, sizeof(w)); }

/* Fills the kind with WARNONCE_KEYS values "v0", "v1", ... */
static void fill(warnonce_kind_t kind) {
  for (unsigned i = 0; i < WARNONCE_KEYS; i++) {
    char value[16];
    snprintf(value, sizeof(value), "v%u", i);
    ck_assert(warnonce_first(&w, kind, value));
  }
}

START_TEST(a_value_is_warned_about_once) {
  ck_assert(warnonce_first(&w, WARNONCE_UNKNOWN_TYPE, "folder"));
  ck_assert(!warnonce_first(&w, WARNONCE_UNKNOWN_TYPE, "folder"));
  ck_assert(!warnonce_first(&w, WARNONCE_UNKNOWN_TYPE, "folder"));
  ck_assert(warnonce_first(&w, WARNONCE_UNKNOWN_TYPE, "Folder"));
  ck_assert(warnonce_first(&w, WARNONCE_UNKNOWN_TYPE, "url"));
}
END_TEST

START_TEST(the_same_value_of_another_kind_is_warned_about_too) {
  ck_assert(warnonce_first(&w, WARNONCE_UNKNOWN_TYPE, "odd"));
  ck_assert(warnonce_first(&w, WARNONCE_UNKNOWN_STATUS, "odd"));
  ck_assert(warnonce_first(&w, WARNONCE_UNKNOWN_QUOTA, "odd"));
  ck_assert(!warnonce_first(&w, WARNONCE_UNKNOWN_STATUS, "odd"));
}
END_TEST

START_TEST(a_kind_keeps_a_bounded_number_of_values) {
  fill(WARNONCE_BAD_HOST);
  ck_assert_uint_eq(w.count[WARNONCE_BAD_HOST], WARNONCE_KEYS);
  /* Past the cap, new values are not warned about, old ones still not. */
  ck_assert(!warnonce_first(&w, WARNONCE_BAD_HOST, "one more"));
  ck_assert(!warnonce_first(&w, WARNONCE_BAD_HOST, "v0"));
  ck_assert_uint_eq(w.count[WARNONCE_BAD_HOST], WARNONCE_KEYS);
}
END_TEST

START_TEST(a_kind_past_its_cap_goes_quiet_alone) {
  fill(WARNONCE_BAD_TASK_ID);
  ck_assert(!warnonce_first(&w, WARNONCE_BAD_TASK_ID, "x"));
  for (int k = 0; k < WARNONCE_KINDS; k++)
    if (k != WARNONCE_BAD_TASK_ID)
      ck_assert_msg(warnonce_first(&w, (warnonce_kind_t)k, "x"),
                    "kind %d went quiet", k);
}
END_TEST

START_TEST(long_values_are_told_apart_by_their_first_bytes) {
  char a[200], b[200];
  memset(a, 'a', sizeof(a) - 1);
  a[sizeof(a) - 1] = '\0';
  memcpy(b, a, sizeof(b));
  b[sizeof(b) - 2] = 'b'; /* differs past the kept bytes only */
  ck_assert(warnonce_first(&w, WARNONCE_UNREADABLE_FIELD, a));
  ck_assert(!warnonce_first(&w, WARNONCE_UNREADABLE_FIELD, b));
  /* Within them, they differ. */
  b[WARNONCE_KEY_LEN - 2] = 'b';
  ck_assert(warnonce_first(&w, WARNONCE_UNREADABLE_FIELD, b));
  b[WARNONCE_KEY_LEN - 2] = 'a';
  b[WARNONCE_KEY_LEN - 1] = 'c'; /* the first byte not kept */
  ck_assert(!warnonce_first(&w, WARNONCE_UNREADABLE_FIELD, b));
  ck_assert_uint_lt(strlen(w.keys[WARNONCE_UNREADABLE_FIELD][0]),
                    WARNONCE_KEY_LEN);
}
END_TEST

START_TEST(no_value_and_no_kind_are_handled) {
  ck_assert(warnonce_first(&w, WARNONCE_BAD_HOST, NULL));
  ck_assert(!warnonce_first(&w, WARNONCE_BAD_HOST, NULL));
  ck_assert(!warnonce_first(&w, WARNONCE_BAD_HOST, ""));
  ck_assert(!warnonce_first(&w, WARNONCE_KINDS, "x"));
  ck_assert(!warnonce_first(&w, (warnonce_kind_t)-1, "x"));
}
END_TEST

static const unit_case_t test_case = {.setup = setup};

int main(void) {
  const TTest *const tests[] = {
      a_value_is_warned_about_once,
      the_same_value_of_another_kind_is_warned_about_too,
      a_kind_keeps_a_bounded_number_of_values,
      a_kind_past_its_cap_goes_quiet_alone,
      long_values_are_told_apart_by_their_first_bytes,
      no_value_and_no_kind_are_handled,
  };
  return unit_main("warnonce", tests, N_OF(tests), &test_case);
}
