/* The API's time format: ISO 8601 in UTC to the second, "Z" and nothing
 * else, both ways. */
#include "core/isotime.h"

#include "unit.h"

#include <check.h>
#include <time.h>

/* 2024-05-06T07:08:09Z */
#define NOW ((time_t)1714979289)
#define NOW_ISO "2024-05-06T07:08:09Z"

START_TEST(isotime_formats_utc) {
  char buf[ISOTIME_LEN];
  isotime_format(0, buf);
  ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
  isotime_format(NOW, buf);
  ck_assert_str_eq(buf, NOW_ISO);
}
END_TEST

START_TEST(isotime_parses_the_api_example) {
  time_t t = 0;
  ck_assert_int_eq(isotime_parse("2017-01-01T12:12:20Z", &t), 0);
  ck_assert_int_eq(t, 1483272740);
}
END_TEST

START_TEST(isotime_round_trips) {
  static const time_t times[] = {0,          951782400 /* 2000-02-29 */,
                                 1483272740, 1709251199,
                                 NOW,        4102444799 /* 2099-12-31 */};
  for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
    char buf[ISOTIME_LEN];
    time_t back = -1;
    isotime_format(times[i], buf);
    ck_assert_int_eq(isotime_parse(buf, &back), 0);
    ck_assert_int_eq(back, times[i]);
  }
}
END_TEST

START_TEST(isotime_rejects_anything_but_the_api_format) {
  static const char *const bad[] = {
      "2017-01-01 12:12:20Z",  /* space for T */
      "2017-13-01T00:00:00Z",  /* month 13 */
      "2017-00-01T00:00:00Z",  /* month 0 */
      "2017-01-00T00:00:00Z",  /* day 0 */
      "2017-01-32T00:00:00Z",  /* day 32 */
      "2017-01-01T24:00:00Z",  /* hour 24 */
      "2017-01-01T00:60:00Z",  /* minute 60 */
      "2017-02-31T00:00:00Z",  /* a day February does not have */
      "2017-01-01T00:00:60Z",  /* second 60 */
      "2017-01-01T12:12:20Zx", /* trailing junk */
      "2017-01-01T12:12:20Z ", /* trailing space */
      "2017-01-01T12:12:20",   /* no Z */
      "2017-01-01T12:12:20+08:00",
      "2017-01-01T12:12:20.000Z",
      "2017-1-01T12:12:20Z",
      "2017-01-01T12:12:2aZ",
      "+017-01-01T12:12:20Z",
      "1969-12-31T23:59:59Z",
      "",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    time_t t = 42;
    ck_assert_msg(isotime_parse(bad[i], &t) == -1, "accepted \"%s\"", bad[i]);
    ck_assert_int_eq(t, 42);
  }
  ck_assert_int_eq(isotime_parse(NULL, &(time_t){0}), -1);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      isotime_formats_utc,
      isotime_parses_the_api_example,
      isotime_round_trips,
      isotime_rejects_anything_but_the_api_format,
  };
  return unit_main("isotime", tests, N_OF(tests), NULL);
}
