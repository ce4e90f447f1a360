/* Notification messages in collectd's 256 bytes: cut between characters,
 * the object path shortened in its middle, the reason or age kept. */
#include "core/message.h"
#include "core/strbuf.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#define ELLIPSIS MESSAGE_ELLIPSIS
#define CJK "\xe4\xb8\xad" /* U+4E2D, three bytes */

static char out[MESSAGE_SIZE];

/* s splits no character and holds no control byte. */
static void assert_clean_utf8(const char *s) {
  for (size_t i = 0; s[i] != '\0';) {
    size_t n = strbuf_utf8_char_len(s + i);
    ck_assert_msg(n > 0, "invalid UTF-8 at byte %zu of \"%s\"", i, s);
    ck_assert_msg(n > 1 || (unsigned char)s[i] >= 0x20, "control byte in %s",
                  s);
    i += n;
  }
}

static void assert_ends_with(const char *s, const char *tail) {
  size_t len = strlen(s), tl = strlen(tail);
  ck_assert_msg(len >= tl && strcmp(s + len - tl, tail) == 0,
                "\"%s\" does not end with \"%s\"", s, tail);
}

static void assert_starts_with(const char *s, const char *head) {
  ck_assert_msg(strncmp(s, head, strlen(head)) == 0,
                "\"%s\" does not start with \"%s\"", s, head);
}

/* n copies of unit after prefix, in a static buffer. */
static const char *long_text(const char *prefix, const char *unit, size_t n) {
  static char buf[4096];
  size_t len = (size_t)snprintf(buf, sizeof(buf), "%s", prefix);
  for (size_t i = 0; i < n && len + strlen(unit) < sizeof(buf); i++)
    len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s", unit);
  return buf;
}

static message_task_t task(const char *path, const char *reason) {
  return (message_task_t){.type = "file",
                          .task_id = "123",
                          .object_path = path,
                          .status = "refreshing",
                          .reason = reason,
                          .age = 960,
                          .stuck_after = 900};
}

START_TEST(a_short_message_is_whole) {
  message_task_t t = task("http://example.com/a.js", "OriginTimeout");
  message_task(MESSAGE_TASK_FAILED, &t, out, sizeof(out));
  ck_assert_str_eq(
      out,
      "DCDN file task 123 (http://example.com/a.js) failed: OriginTimeout");
  t.reason = "";
  message_task(MESSAGE_TASK_FAILED, &t, out, sizeof(out));
  assert_ends_with(out, ") failed: no reason given");
  message_task(MESSAGE_TASK_STUCK, &t, out, sizeof(out));
  ck_assert_str_eq(out, "DCDN file task 123 (http://example.com/a.js) has been "
                        "refreshing for 960 s, longer than StuckAfter 900 s");
  message_task(MESSAGE_TASK_COMPLETED, &t, out, sizeof(out));
  ck_assert_str_eq(out,
                   "DCDN file task 123 (http://example.com/a.js) completed "
                   "after 960 s");
}
END_TEST

/* Each kind of message with a long path still ends with what it says. */
static const struct {
  message_task_kind_t kind;
  const char *tail;
} tails[] = {
    {MESSAGE_TASK_FAILED, ") failed: OriginTimeout"},
    {MESSAGE_TASK_STUCK,
     ") has been refreshing for 960 s, longer than StuckAfter 900 s"},
    {MESSAGE_TASK_COMPLETED, ") completed after 960 s"},
};

START_TEST(a_long_path_is_shortened_in_its_middle_and_the_end_kept) {
  message_task_t t =
      task(long_text("http://example.com/", "dir/", 100), "OriginTimeout");
  message_task(tails[_i].kind, &t, out, sizeof(out));
  ck_assert_uint_eq(strlen(out), MESSAGE_SIZE - 1);
  assert_starts_with(out, "DCDN file task 123 (http://example.com/dir/");
  char path_end[128];
  snprintf(path_end, sizeof(path_end), "dir/%s", tails[_i].tail);
  assert_ends_with(out, path_end);
  ck_assert_ptr_nonnull(strstr(out, ELLIPSIS));
  assert_clean_utf8(out);
}
END_TEST

START_TEST(a_path_of_multibyte_characters_is_cut_between_them) {
  /* Every byte count of the path's share, so that each cut is tried. */
  for (size_t n = 60; n < 90; n++) {
    message_task_t t = task(long_text("http://e.com/", CJK, n), "E");
    message_task(MESSAGE_TASK_FAILED, &t, out, sizeof(out));
    ck_assert_uint_lt(strlen(out), MESSAGE_SIZE);
    assert_ends_with(out, ") failed: E");
    assert_clean_utf8(out);
  }
}
END_TEST

START_TEST(a_reason_too_long_for_any_path_is_cut_at_its_end) {
  const char *reason = long_text("Origin said: ", CJK, 120);
  message_task_t t = task("http://example.com/a.js", reason);
  message_task(MESSAGE_TASK_FAILED, &t, out, sizeof(out));
  ck_assert_uint_lt(strlen(out), MESSAGE_SIZE);
  /* The path gives way first, to what little is left beside the reason. */
  assert_starts_with(out, "DCDN file task 123 (h" ELLIPSIS "s) failed: "
                          "Origin said: " CJK);
  assert_ends_with(out, CJK ELLIPSIS);
  assert_clean_utf8(out);
}
END_TEST

START_TEST(network_text_in_a_message_is_made_printable) {
  message_task_t t = task("http://e.com/\x1b[2J\n", "Origin\r\nTimeout\xff");
  t.task_id = "12\a3";
  message_task(MESSAGE_TASK_FAILED, &t, out, sizeof(out));
  ck_assert_str_eq(out, "DCDN file task 12 3 (http://e.com/ [2J ) failed: "
                        "Origin  Timeout\xef\xbf\xbd");
}
END_TEST

START_TEST(shortening_keeps_the_start_and_the_end) {
  char buf[64];
  const char *path = "http://example.com/a/b/c.js";
  ck_assert_uint_eq(message_shorten_middle(path, 18, buf, sizeof(buf)), 18);
  ck_assert_str_eq(buf, "http://e" ELLIPSIS "/b/c.js");
  ck_assert_uint_eq(message_shorten_middle(path, 100, buf, sizeof(buf)),
                    strlen(path));
  ck_assert_str_eq(buf, path);
  ck_assert_uint_eq(message_shorten_middle(path, 3, buf, sizeof(buf)), 3);
  ck_assert_str_eq(buf, ELLIPSIS);
  ck_assert_uint_eq(message_shorten_middle(path, 2, buf, sizeof(buf)), 0);
  ck_assert_str_eq(buf, "");
  /* A cut inside U+4E2D moves to its edge: fewer bytes, whole characters. */
  ck_assert_uint_eq(message_shorten_middle(CJK CJK CJK CJK, 10, buf, 64), 9);
  ck_assert_str_eq(buf, CJK ELLIPSIS CJK);
  /* The output buffer bounds it too. */
  ck_assert_uint_eq(message_shorten_middle(path, 100, buf, 10), 9);
  assert_clean_utf8(buf);
}
END_TEST

/* In every buffer size, a message fits, splits nothing, and ends with its
 * tail whenever the head and an ellipsis leave room for it. */
START_TEST(every_size_fits_and_keeps_the_tail_when_it_can) {
  const char *head = "DCDN file task 123 (";
  const char *path = long_text("http://e.com/", CJK "a", 40);
  const char *tail = ") failed: OriginTimeout";
  char buf[MESSAGE_SIZE];
  for (size_t size = 1; size <= sizeof(buf); size++) {
    message_fit(buf, size, head, path, tail);
    ck_assert_uint_lt(strlen(buf), size);
    assert_clean_utf8(buf);
    if (strlen(head) + strlen(ELLIPSIS) + strlen(tail) < size)
      assert_ends_with(buf, tail);
  }
}
END_TEST

START_TEST(account_messages_keep_the_start_of_the_reason) {
  message_account(NULL, "prod", "SignatureDoesNotMatch: bad", out, sizeof(out));
  ck_assert_str_eq(out, "DCDN account \"prod\": API calls fail and need "
                        "attention: SignatureDoesNotMatch: bad");
  message_account(NULL, "prod", NULL, out, sizeof(out));
  char cdn[MESSAGE_SIZE];
  message_account("CDN", "prod", NULL, cdn, sizeof(cdn));
  ck_assert_str_eq(cdn, "CDN account \"prod\": API calls succeed again");
  ck_assert_str_eq(out, "DCDN account \"prod\": API calls succeed again");
  message_account(NULL, "prod", long_text("Forbidden.RAM: ", CJK, 100), out,
                  sizeof(out));
  ck_assert_uint_lt(strlen(out), MESSAGE_SIZE);
  assert_starts_with(out, "DCDN account \"prod\": API calls fail and need "
                          "attention: Forbidden.RAM: " CJK);
  assert_ends_with(out, CJK ELLIPSIS);
  assert_clean_utf8(out);
}
END_TEST

static void add_loops(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc,
                      a_long_path_is_shortened_in_its_middle_and_the_end_kept,
                      0, N_OF(tails));
}

static const unit_case_t test_case = {.extend = add_loops};

int main(void) {
  const TTest *const tests[] = {
      a_short_message_is_whole,
      a_path_of_multibyte_characters_is_cut_between_them,
      a_reason_too_long_for_any_path_is_cut_at_its_end,
      network_text_in_a_message_is_made_printable,
      shortening_keeps_the_start_and_the_end,
      every_size_fits_and_keeps_the_tail_when_it_can,
      account_messages_keep_the_start_of_the_reason,
  };
  return unit_main("message", tests, N_OF(tests), &test_case);
}
