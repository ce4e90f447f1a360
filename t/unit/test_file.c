/* Small text files as the shell reads them (state, secrets, credentials):
 * the whole text or a reason, never a binary or oversized file, and for
 * the state file never through a symbolic link. file.c is pure C on top of
 * the core's strbuf, so it is compiled into this test directly (the build
 * links the shell only into the plugin). */
#include "shell/file.c"

#include "unit.h"

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIR_TEMPLATE "/tmp/dcdn-test-file.XXXXXX"

static char dir[sizeof(DIR_TEMPLATE)];
static char path[256], link_path[256];
static char why[256];

/* A new directory for each test (CK_FORK=no runs them in one process). */
static void setup(void) {
  memcpy(dir, DIR_TEMPLATE, sizeof(dir));
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/prod.state", dir);
  snprintf(link_path, sizeof(link_path), "%s/link.state", dir);
  why[0] = '\0';
}

static void teardown(void) {
  unlink(link_path);
  unlink(path);
  rmdir(dir);
}

static void write_file(const char *data, size_t len) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

START_TEST(a_text_file_is_read_whole) {
  write_file("collectd-dcdn-state 2\nend 22\n", 29);
  char *text = file_read_text(path, 1024, why, sizeof(why));
  ck_assert_ptr_nonnull(text);
  ck_assert_str_eq(text, "collectd-dcdn-state 2\nend 22\n");
  free(text);
  text = file_read_text_nofollow(path, 1024, why, sizeof(why));
  ck_assert_str_eq(text, "collectd-dcdn-state 2\nend 22\n");
  free(text);
}
END_TEST

START_TEST(an_empty_file_is_empty_text) {
  write_file("", 0);
  char *text = file_read_text_nofollow(path, 1024, why, sizeof(why));
  ck_assert_ptr_nonnull(text);
  ck_assert_str_eq(text, "");
  free(text);
}
END_TEST

START_TEST(a_missing_file_says_so_with_enoent) {
  errno = 0;
  ck_assert_ptr_null(file_read_text_nofollow(path, 1024, why, sizeof(why)));
  ck_assert_int_eq(errno, ENOENT);
  ck_assert_ptr_nonnull(strstr(why, "No such file"));
}
END_TEST

START_TEST(a_binary_or_oversized_file_is_refused) {
  write_file("abc\0def\n", 8);
  ck_assert_ptr_null(file_read_text_nofollow(path, 1024, why, sizeof(why)));
  ck_assert_int_eq(errno, EINVAL);
  ck_assert_ptr_nonnull(strstr(why, "binary"));
  write_file("0123456789", 10);
  ck_assert_ptr_null(file_read_text_nofollow(path, 9, why, sizeof(why)));
  ck_assert_ptr_nonnull(strstr(why, "larger than 9 bytes"));
  char *text = file_read_text_nofollow(path, 10, why, sizeof(why));
  ck_assert_str_eq(text, "0123456789");
  free(text);
}
END_TEST

/* BUG (src/shell/file.c, file_read_text_nofollow): it calls
 * file_read_text, which opens with fopen and follows the link, although
 * file.h promises O_NOFOLLOW for the state file. A link planted in the
 * state directory would have the plugin take another file (any file root
 * can read) for its history. */
START_TEST(the_state_file_is_never_read_through_a_symbolic_link) {
  write_file("collectd-dcdn-state 2\nend 22\n", 29);
  ck_assert_int_eq(symlink(path, link_path), 0);
  char *text = file_read_text_nofollow(link_path, 1024, why, sizeof(why));
  int error = errno;
  bool refused = text == NULL;
  free(text);
  ck_assert_msg(refused, "read through a link");
  ck_assert_int_eq(error, ELOOP);
  /* The other files may be links (a secret managed elsewhere). */
  text = file_read_text(link_path, 1024, why, sizeof(why));
  ck_assert_ptr_nonnull(text);
  free(text);
}
END_TEST

static const unit_case_t test_case = {.setup = setup, .teardown = teardown};

int main(void) {
  const TTest *const tests[] = {
      a_text_file_is_read_whole,
      an_empty_file_is_empty_text,
      a_missing_file_says_so_with_enoent,
      a_binary_or_oversized_file_is_refused,
      the_state_file_is_never_read_through_a_symbolic_link,
  };
  return unit_main("file", tests, N_OF(tests), &test_case);
}
