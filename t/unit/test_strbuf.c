/* The printable filter every peer's text goes through before a log line or
 * a notification holds it, and the UTF-8 helpers that cut text. */
#include "core/strbuf.h"

#include "unit.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FFFD "\xef\xbf\xbd" /* U+FFFD REPLACEMENT CHARACTER */

/* What the filter makes of each input, uncut. */
static const struct {
  const char *in;
  const char *out;
} printable[] = {
    /* plain ASCII stays */
    {"Request was denied.", "Request was denied."},
    /* valid UTF-8 stays: 2, 3 and 4 bytes, punycode's source */
    {"b\xc3\xbc"
     "cher \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80",
     "b\xc3\xbc"
     "cher \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80"},
    /* newlines, tabs, escape sequences and DEL become spaces */
    {"a\nb\r\tc\x1b[2Jd\x7f", "a b  c [2Jd "},
    /* C1 controls (U+0085 NEL, U+009B CSI) too */
    {"x\xc2\x85y\xc2\x9bz", "x y z"},
    /* U+00A0, just past C1, is printable */
    {"x\xc2\xa0y", "x\xc2\xa0y"},
    /* a stray continuation byte and a lone lead byte */
    {"a\x80"
     "b\xc3",
     "a" FFFD "b" FFFD},
    /* bytes that are never UTF-8 */
    {"\xff\xfe", FFFD FFFD},
    /* an overlong '/' and an overlong NUL */
    {"\xc0\xaf\xe0\x80\xaf", FFFD FFFD FFFD FFFD FFFD},
    /* a UTF-16 surrogate, encoded */
    {"\xed\xa0\x80", FFFD FFFD FFFD},
    /* past U+10FFFF */
    {"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD},
    /* a sequence cut short by the end */
    {"ok\xe4\xb8", "ok" FFFD FFFD},
};

START_TEST(the_filter_keeps_utf8_and_replaces_controls_and_bad_bytes) {
  char *out = strbuf_printable_dup(printable[_i].in);
  ck_assert_ptr_nonnull(out);
  ck_assert_str_eq(out, printable[_i].out);
  free(out);
}
END_TEST

static char *append_printable(const char *s, size_t max) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_append_printable(&sb, s, max);
  return strbuf_take(&sb);
}

START_TEST(a_cut_falls_between_characters_and_is_marked) {
  /* "ab" then U+4E2D (3 bytes): 4 bytes would split it. */
  char *out = append_printable("ab\xe4\xb8\xad"
                               "c",
                               4);
  ck_assert_str_eq(out, "ab...");
  free(out);
  out = append_printable("ab\xe4\xb8\xad"
                         "c",
                         5);
  ck_assert_str_eq(out, "ab\xe4\xb8\xad...");
  free(out);
  out = append_printable("abc", 3);
  ck_assert_str_eq(out, "abc");
  free(out);
}
END_TEST

START_TEST(character_lengths_follow_rfc_3629) {
  ck_assert_uint_eq(strbuf_utf8_char_len(""), 0);
  ck_assert_uint_eq(strbuf_utf8_char_len("a"), 1);
  ck_assert_uint_eq(strbuf_utf8_char_len("\xc3\xbc"), 2);
  ck_assert_uint_eq(strbuf_utf8_char_len("\xe2\x80\xa6"), 3);
  ck_assert_uint_eq(strbuf_utf8_char_len("\xf4\x8f\xbf\xbf"), 4);
  ck_assert_uint_eq(strbuf_utf8_char_len("\xc1\xbf"), 0); /* overlong */
  ck_assert_uint_eq(strbuf_utf8_char_len("\xf0\x8f\xbf\xbf"), 0);
  ck_assert_uint_eq(strbuf_utf8_char_len("\xe2\x80"), 0); /* cut short */
}
END_TEST

START_TEST(fit_keeps_whole_characters_only) {
  const char *s = "a\xc3\xbc\xe2\x80\xa6z"; /* 1 + 2 + 3 + 1 bytes */
  static const size_t want[] = {0, 1, 1, 3, 3, 3, 6, 7, 7};
  for (size_t max = 0; max < N_OF(want); max++)
    ck_assert_uint_eq(strbuf_utf8_fit(s, max), want[max]);
  ck_assert_uint_eq(strbuf_utf8_fit("\xff\xff", 1), 1);
}
END_TEST

static void add_loops(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc,
                      the_filter_keeps_utf8_and_replaces_controls_and_bad_bytes,
                      0, N_OF(printable));
}

static const unit_case_t test_case = {.extend = add_loops};

int main(void) {
  const TTest *const tests[] = {
      a_cut_falls_between_characters_and_is_marked,
      character_lengths_follow_rfc_3629,
      fit_keeps_whole_characters_only,
  };
  return unit_main("strbuf", tests, N_OF(tests), &test_case);
}
