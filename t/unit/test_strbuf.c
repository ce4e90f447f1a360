/* The printable filter every peer's text goes through before a log line or
 * a notification holds it, the UTF-8 helpers that cut text, and the
 * buffer's limit and sticky failure. */
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

/* ---- the limit and the sticky failure ---- */

START_TEST(a_strbuf_holds_up_to_its_limit_exactly) {
  strbuf_t sb;
  strbuf_init(&sb, 5);
  strbuf_append(&sb, "abc");
  strbuf_append_len(&sb, "de", 2);
  ck_assert_str_eq(strbuf_str(&sb), "abcde");
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_OK);
  ck_assert_uint_le(sb.cap, 6);
  strbuf_free(&sb);
}
END_TEST

START_TEST(an_append_past_the_limit_is_too_large_and_sticks) {
  strbuf_t sb;
  strbuf_init(&sb, 5);
  strbuf_append(&sb, "abc");
  strbuf_append(&sb, "def");
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_TOO_LARGE);
  ck_assert_ptr_null(strbuf_str(&sb));
  /* Later appends do nothing, even one that would fit. */
  strbuf_append_char(&sb, 'x');
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_TOO_LARGE);
  ck_assert_uint_eq(sb.len, 3);
  ck_assert_str_eq(sb.data, "abc"); /* the text as it was */
  ck_assert_ptr_null(strbuf_take(&sb));
  /* Taken (or freed), it is empty, usable and limited again. */
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_OK);
  ck_assert_uint_eq(sb.max, 5);
  strbuf_append(&sb, "12345");
  strbuf_append(&sb, "6");
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_TOO_LARGE);
  strbuf_free(&sb);
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_OK);
  ck_assert_ptr_null(sb.data);
}
END_TEST

START_TEST(a_printf_past_the_limit_is_too_large) {
  strbuf_t sb;
  strbuf_init(&sb, 10);
  strbuf_printf(&sb, "%s=%d", "count", 12345);
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_TOO_LARGE);
  ck_assert_uint_eq(sb.len, 0);
  strbuf_free(&sb);
}
END_TEST

START_TEST(a_size_that_would_wrap_is_too_large_not_a_tiny_block) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_append(&sb, "ab");
  /* len + extra + 1 wraps to 2: refused before anything is allocated. */
  strbuf_append_len(&sb, "", SIZE_MAX - 1);
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_TOO_LARGE);
  ck_assert_str_eq(sb.data, "ab");
  strbuf_free(&sb);
}
END_TEST

START_TEST(growth_doubles_and_stops_at_the_limit) {
  strbuf_t sb;
  strbuf_init(&sb, 1000);
  size_t last_cap = 0;
  for (size_t i = 0; i < 1000; i++) {
    strbuf_append_char(&sb, (char)('a' + i % 26));
    ck_assert_uint_ge(sb.cap, sb.len + 1);
    ck_assert_uint_le(sb.cap, 1001);
    ck_assert(sb.cap == last_cap || last_cap == 0 || sb.cap == 2 * last_cap ||
              sb.cap == 1001);
    last_cap = sb.cap;
  }
  ck_assert_uint_eq(sb.cap, 1001);
  ck_assert_uint_eq(strlen(strbuf_str(&sb)), 1000);
  strbuf_append_char(&sb, 'z');
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_TOO_LARGE);
  strbuf_free(&sb);
}
END_TEST

START_TEST(a_limit_of_zero_holds_the_empty_string) {
  strbuf_t sb;
  strbuf_init(&sb, 0);
  ck_assert_str_eq(strbuf_str(&sb), "");
  strbuf_append(&sb, "");
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_OK);
  strbuf_append_char(&sb, 'a');
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_TOO_LARGE);
  strbuf_free(&sb);
}
END_TEST

START_TEST(a_failure_told_from_elsewhere_keeps_the_first_cause) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_append(&sb, "x");
  strbuf_fail(&sb, STRBUF_NO_MEMORY);
  strbuf_fail(&sb, STRBUF_TOO_LARGE);
  ck_assert_int_eq(strbuf_error(&sb), STRBUF_NO_MEMORY);
  ck_assert_ptr_null(strbuf_str(&sb));
  strbuf_free(&sb);
}
END_TEST

START_TEST(an_empty_strbuf_gives_an_empty_string_and_take_hands_it_over) {
  strbuf_t sb = STRBUF_INIT;
  ck_assert_ptr_null(sb.data);
  ck_assert_str_eq(strbuf_str(&sb), "");
  strbuf_append(&sb, "abc");
  strbuf_reset(&sb);
  ck_assert_str_eq(strbuf_str(&sb), "");
  strbuf_append(&sb, "de");
  char *out = strbuf_take(&sb);
  ck_assert_str_eq(out, "de");
  ck_assert_ptr_null(sb.data);
  ck_assert_uint_eq(sb.len, 0);
  free(out);
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
      a_strbuf_holds_up_to_its_limit_exactly,
      an_append_past_the_limit_is_too_large_and_sticks,
      a_printf_past_the_limit_is_too_large,
      a_size_that_would_wrap_is_too_large_not_a_tiny_block,
      growth_doubles_and_stops_at_the_limit,
      a_limit_of_zero_holds_the_empty_string,
      a_failure_told_from_elsewhere_keeps_the_first_cause,
      an_empty_strbuf_gives_an_empty_string_and_take_hands_it_over,
  };
  return unit_main("strbuf", tests, N_OF(tests), &test_case);
}
