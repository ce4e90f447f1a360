/* The file reader of secrets, credentials and the state, both ways
 * (following a link, and not): regular files only (a FIFO or a directory
 * refused at once, never waited on), a size limit, no NUL byte, ENOENT for
 * a missing file, and wiped text. file.c needs no collectd or curl, so it
 * is compiled into this test directly. */
#include "shell/file.c"

#include "unit.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET "Zx9SecretValueForTests"

static char why[256];

/* ---- file_read_text, file_read_text_nofollow, file_text_free ---- */

static char tmp_dir[64], tmp_path[128];

/* tmp_path becomes tmp_dir/name, in a fresh directory. */
static const char *in_dir(const char *name) {
  if (tmp_dir[0] == '\0') {
    strcpy(tmp_dir, "/tmp/test_cred.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
  }
  snprintf(tmp_path, sizeof(tmp_path), "%s/%s", tmp_dir, name);
  return tmp_path;
}

static void write_file(const char *name, const char *text, size_t len) {
  FILE *f = fopen(in_dir(name), "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(text, 1, len, f), len);
  fclose(f);
}

typedef char *(*reader_t)(const char *, size_t, char *, size_t);
static reader_t readers[] = {file_read_text, file_read_text_nofollow};

/* Reads tmp_dir/name with readers[reader], allowing max bytes. */
static char *read_in_dir(int reader, const char *name, size_t max) {
  strcpy(why, "");
  errno = 0;
  return readers[reader](in_dir(name), max, why, sizeof(why));
}

static void assert_file_refused(int reader, const char *name, size_t max,
                                const char *reason) {
  ck_assert_ptr_null(read_in_dir(reader, name, max));
  ck_assert_str_eq(why, reason);
  ck_assert_int_ne(errno, ENOENT);
  ck_assert_int_ne(errno, 0);
}

START_TEST(a_regular_file_is_read_whole) {
  write_file("secret", SECRET "\n", sizeof(SECRET));
  char *text = read_in_dir(_i, "secret", sizeof(SECRET));
  ck_assert_str_eq(text, SECRET "\n");
  file_text_free(text);
  write_file("empty", "", 0);
  text = read_in_dir(_i, "empty", 10);
  ck_assert_str_eq(text, "");
  file_text_free(text);
  file_text_free(NULL);
}
END_TEST

START_TEST(a_missing_file_is_told_by_enoent) {
  ck_assert_ptr_null(read_in_dir(_i, "none", 10));
  ck_assert_int_eq(errno, ENOENT);
  ck_assert_str_eq(why, strerror(ENOENT));
}
END_TEST

/* Before the fix, open(2) of a FIFO without a writer waited forever. */
START_TEST(a_fifo_or_a_directory_is_refused_at_once) {
  ck_assert_int_eq(mkfifo(in_dir("fifo"), 0600), 0);
  assert_file_refused(_i, "fifo", 100, "not a regular file");
  ck_assert_int_eq(mkdir(in_dir("directory"), 0700), 0);
  assert_file_refused(_i, "directory", 100, "not a regular file");
}
END_TEST

START_TEST(a_file_too_large_or_binary_is_refused) {
  write_file("large", SECRET, strlen(SECRET));
  char reason[64];
  snprintf(reason, sizeof(reason), "larger than %zu bytes", strlen(SECRET) - 1);
  assert_file_refused(_i, "large", strlen(SECRET) - 1, reason);
  char *text = read_in_dir(_i, "large", strlen(SECRET));
  ck_assert_str_eq(text, SECRET);
  file_text_free(text);
  write_file("binary", "a\0b", 3);
  assert_file_refused(_i, "binary", 100, "binary: it holds a NUL byte");
}
END_TEST

START_TEST(only_the_nofollow_reader_refuses_a_symbolic_link) {
  write_file("target", SECRET, strlen(SECRET));
  char target[128];
  snprintf(target, sizeof(target), "%s", tmp_path);
  ck_assert_int_eq(symlink(target, in_dir("link")), 0);
  char *text = read_in_dir(0, "link", 100);
  ck_assert_str_eq(text, SECRET);
  file_text_free(text);
  assert_file_refused(1, "link", 100, "a symbolic link, not followed");
}
END_TEST

/* Each test leaves a fresh directory behind it: removed here. */
static void remove_dir(void) {
  static const char *const names[] = {"secret", "empty",  "fifo", "large",
                                      "binary", "target", "link"};
  if (tmp_dir[0] == '\0')
    return;
  for (size_t i = 0; i < N_OF(names); i++)
    unlink(in_dir(names[i]));
  rmdir(in_dir("directory"));
  rmdir(tmp_dir);
  tmp_dir[0] = '\0';
}

static void add_loop_tests(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc, a_regular_file_is_read_whole, 0, N_OF(readers));
  tcase_add_loop_test(tc, a_missing_file_is_told_by_enoent, 0, N_OF(readers));
  tcase_add_loop_test(tc, a_fifo_or_a_directory_is_refused_at_once, 0,
                      N_OF(readers));
  tcase_add_loop_test(tc, a_file_too_large_or_binary_is_refused, 0,
                      N_OF(readers));
}

static const unit_case_t test_case = {.teardown = remove_dir,
                                      .extend = add_loop_tests};

int main(void) {
  const TTest *const tests[] = {
      only_the_nofollow_reader_refuses_a_symbolic_link,
  };
  return unit_main("file_readers", tests, N_OF(tests), &test_case);
}
