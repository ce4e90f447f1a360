/* Character classes that follow ASCII, not the process locale, and the one
 * hex encoder. */
#include "core/ascii.h"

#include "unit.h"

#include <check.h>
#include <ctype.h>
#include <locale.h>
#include <string.h>

/* Every byte is classed as <ctype.h> classes it in the C locale (which is
 * ASCII), and no byte past 0x7F is in any class. */
START_TEST(every_byte_is_classed_as_the_c_locale_classes_it) {
  ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C"));
  for (int c = 0; c < 256; c++) {
    unsigned char b = (unsigned char)c;
    ck_assert_msg(ascii_is_digit(b) == (isdigit(c) != 0), "digit %#x", c);
    ck_assert_msg(ascii_is_alpha(b) == (isalpha(c) != 0), "alpha %#x", c);
    ck_assert_msg(ascii_is_alnum(b) == (isalnum(c) != 0), "alnum %#x", c);
    ck_assert_msg(ascii_is_space(b) == (isspace(c) != 0), "space %#x", c);
    ck_assert_msg(ascii_is_cntrl(b) == (iscntrl(c) != 0), "cntrl %#x", c);
    ck_assert_msg(ascii_tolower((char)b) == (char)tolower(c), "lower %#x", c);
    if (c >= 0x80)
      ck_assert(!ascii_is_alnum(b) && !ascii_is_space(b) &&
                !ascii_is_cntrl(b) && ascii_tolower((char)b) == (char)b);
  }
}
END_TEST

START_TEST(only_a_to_z_are_lowered) {
  ck_assert_int_eq(ascii_tolower('I'), 'i');
  ck_assert_int_eq(ascii_tolower('Z'), 'z');
  ck_assert_int_eq(ascii_tolower('@'), '@');
  ck_assert_int_eq(ascii_tolower('['), '[');
  ck_assert_int_eq(ascii_tolower('\xc9'), '\xc9'); /* Latin-1 E acute */
}
END_TEST

START_TEST(hex_writes_two_digits_a_byte_in_either_case) {
  static const unsigned char bytes[] = {0x00, 0x09, 0xab, 0xf0, 0xff};
  char out[2 * sizeof(bytes) + 1];
  memset(out, 'x', sizeof(out));
  ascii_hex(out, bytes, sizeof(bytes), false);
  ck_assert_str_eq(out, "0009abf0ff");
  ascii_hex(out, bytes, sizeof(bytes), true);
  ck_assert_str_eq(out, "0009ABF0FF");
  ascii_hex(out, bytes, 0, false);
  ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(case_is_ignored_in_ascii_only) {
  ck_assert_int_eq(ascii_strcasecmp("DescribeDcdn", "describedcdn"), 0);
  ck_assert_int_eq(ascii_strcasecmp("LookBack", "Lookback"), 0);
  ck_assert_int_ne(ascii_strcasecmp("file", "files"), 0);
  ck_assert_int_lt(ascii_strcasecmp("a", "B"), 0);
  /* Bytes past ASCII are compared as they are. */
  ck_assert_int_ne(ascii_strcasecmp("\xc3\x89", "\xc3\xa9"), 0);
  ck_assert_int_eq(ascii_strncasecmp("Date: x", "date:", 5), 0);
  ck_assert_int_eq(ascii_strncasecmp("abc", "ABD", 2), 0);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      case_is_ignored_in_ascii_only,
      every_byte_is_classed_as_the_c_locale_classes_it,
      only_a_to_z_are_lowered,
      hex_writes_two_digits_a_byte_in_either_case,
  };
  return unit_main("ascii", tests, N_OF(tests), NULL);
}
