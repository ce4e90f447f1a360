/* A damaged state file: cut short anywhere, anything after its end line,
 * a line missing, an end line that is not exact, any byte of a number
 * changed. Each is refused with a reason, or read as exactly what it
 * says. */
#include "statefile_fixture.h"

#include "unit.h"

#include <check.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(a_file_cut_short_anywhere_is_refused) {
  char *text = rich_file();
  size_t len = strlen(text);
  for (size_t cut = 0; cut < len; cut++) {
    /* A copy of exactly that size, so that reading past it shows. */
    char *prefix = strndup(text, cut);
    ck_assert_ptr_nonnull(prefix);
    ck_assert_msg(parse(prefix) == STATEFILE_BAD,
                  "a file cut at byte %zu of %zu was read", cut, len);
    ck_assert_msg(why[0] != '\0', "no reason at byte %zu", cut);
    free(prefix);
  }
  assert_parses(text);
  free(text);
}
END_TEST

START_TEST(a_file_with_anything_after_its_end_line_is_refused) {
  char *text = rich_file();
  const char *const after[] = {"task 42 1700000000 0 0 2 100 1\n", "\n", text};
  for (size_t i = 0; i < N_OF(after); i++) {
    strbuf_t longer = STRBUF_INIT;
    strbuf_printf(&longer, "%s%s", text, after[i]);
    assert_refused(strbuf_str(&longer), NULL);
    strbuf_free(&longer);
  }
  free(text);
}
END_TEST

START_TEST(a_file_missing_a_line_in_the_middle_is_refused) {
  char *text = rich_file();
  char *line = strstr(text, "\ntask ");
  ck_assert_ptr_nonnull(line);
  char *next = strchr(line + 1, '\n');
  memmove(line, next, strlen(next) + 1);
  assert_refused(text, "truncated");
  free(text);
}
END_TEST

/* HEAD and the end line "end <HEAD's size + off_by><rest>". */
static const char *head_ended(long off_by, const char *rest) {
  static char text[256];
  snprintf(text, sizeof(text), HEAD "end %ld%s", (long)strlen(HEAD) + off_by,
           rest);
  return text;
}

START_TEST(an_end_line_that_is_not_exact_is_refused) {
  assert_parses(head_ended(0, "\n"));
  assert_refused(head_ended(+1, "\n"), NULL);
  assert_refused(head_ended(-1, "\n"), NULL);
  assert_refused(head_ended(0, ""), NULL);
  assert_refused(head_ended(0, " \n"), NULL);
  assert_refused(head_ended(0, "x\n"), NULL);
  assert_refused(HEAD "end\n", NULL);
}
END_TEST

/* ---- a changed byte ---- */

/* What st holds, one datum a line in the file's own syntax: what a
 * corrupted file that was read is compared with. The caller frees it. */
static char *dump(const statefile_owner_t *owner, const statefile_state_t *s) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_printf(&sb, "%s %d\naccount %s\nendpoint %s\ncredential %s\n",
                STATEFILE_MAGIC, STATEFILE_VERSION, owner->account,
                owner->endpoint, owner->credential);
  strbuf_printf(&sb, "mode %s\nhealth %s\n",
                s->domain_mode ? "domain" : "account",
                s->health_failed ? "failed" : "ok");
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
    if (s->wildcard[t].covered_until != 0)
      strbuf_printf(&sb, "wildcard %u %lld %lld\n", t,
                    (long long)s->wildcard[t].covered_from,
                    (long long)s->wildcard[t].covered_until);
  for (size_t d = 0; d < s->domain_count; d++) {
    const statefile_domain_t *fd = &s->domains[d];
    strbuf_printf(&sb, "domain %zu %s\n", d, fd->name);
    for (unsigned t = 0; t < TASK_TYPE_COUNT; t++) {
      if (fd->streams[t].covered_until != 0)
        strbuf_printf(&sb, "stream %zu %u %lld %lld\n", d, t,
                      (long long)fd->streams[t].covered_from,
                      (long long)fd->streams[t].covered_until);
      if (fd->completed[t] != 0 || fd->failed[t] != 0)
        strbuf_printf(&sb, "ledger %zu %u %" PRIu64 " %" PRIu64 "\n", d, t,
                      fd->completed[t], fd->failed[t]);
    }
  }
  size_t pos = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(&s->tasks, &pos)) != NULL)
    strbuf_printf(&sb, "task %" PRIu64 " %" PRId64 " %" PRIu32 " %u %u %u %u\n",
                  t->id, t->created, t->domain, t->type, t->status, t->progress,
                  t->flags);
  ck_assert_ptr_nonnull(strbuf_str(&sb));
  return strbuf_take(&sb);
}

/* Splits at runs of spaces; returns how many fields. */
static size_t fields_of(char *line, char **fields, size_t max) {
  size_t n = 0;
  for (char *save = NULL, *f = strtok_r(line, " ", &save); f != NULL;
       f = strtok_r(NULL, " ", &save))
    if (n < max)
      fields[n++] = f;
    else
      return max + 1;
  return n;
}

/* Both fields say the same: the same text, or the same whole number. */
static bool same_field(const char *a, const char *b) {
  if (strcmp(a, b) == 0)
    return true;
  char *end_a, *end_b;
  long long x = strtoll(a, &end_a, 10), y = strtoll(b, &end_b, 10);
  return *a != '\0' && *b != '\0' && *end_a == '\0' && *end_b == '\0' &&
         x == y && x != LLONG_MAX && x != LLONG_MIN;
}

/* Whether the datum of one read line is what another line says. */
static bool same_line(const char *read, const char *datum) {
  char a[300], b[300];
  snprintf(a, sizeof(a), "%s", read);
  snprintf(b, sizeof(b), "%s", datum);
  char *fa[16], *fb[16];
  size_t na = fields_of(a, fa, 16), nb = fields_of(b, fb, 16);
  if (na != nb || na > 16)
    return false;
  for (size_t i = 0; i < na; i++)
    if (!same_field(fa[i], fb[i]))
      return false;
  return true;
}

/* The lines of text but its end line, into lines (at most max). */
static size_t lines_of(char *text, char **lines, size_t max) {
  size_t n = 0;
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && n < max;
       l = strtok_r(NULL, "\n", &save))
    if (strncmp(l, "end ", 4) != 0)
      lines[n++] = l;
  return n;
}

/* A corrupted file that was still read must mean exactly what it says:
 * each of its lines is one datum of what was read, the changed one
 * perhaps spelled differently (a leading zero), and nothing else. */
static void assert_read_as_it_says(const char *mutated, size_t at) {
  statefile_owner_t owner;
  statefile_owner(account, &owner);
  char *w = dump(&owner, &st);
  char *r = strdup(mutated);
  char *wl[64], *rl[64];
  size_t nw = lines_of(w, wl, 64), nr = lines_of(r, rl, 64);
  ck_assert_msg(nw == nr, "byte %zu: %zu lines read, %zu data:\n%s", at, nr, nw,
                mutated);
  for (size_t i = 0; i < nr; i++) {
    bool found = false;
    for (size_t j = 0; j < nw && !found; j++)
      found = same_line(rl[i], wl[j]);
    ck_assert_msg(found, "byte %zu: line \"%s\" was read as something else", at,
                  rl[i]);
  }
  free(w);
  free(r);
}

/* Whether byte at of text is in a number of a line of numbers. */
static bool in_number_line(const char *text, size_t at) {
  const char *line = text + at;
  while (line > text && line[-1] != '\n')
    line--;
  static const char *const kinds[] = {"task ", "ledger ", "stream ",
                                      "wildcard ", "end "};
  for (size_t i = 0; i < N_OF(kinds); i++) {
    size_t n = strlen(kinds[i]);
    if (strncmp(line, kinds[i], n) == 0)
      return text + at >= line + n && text[at] != '\n';
  }
  return false;
}

START_TEST(a_changed_byte_in_a_number_is_refused_or_read_as_it_says) {
  char *text = rich_file();
  static const char replacements[] = "0123456789 x-+\n.";
  size_t tried = 0, refused = 0;
  for (size_t at = 0; text[at] != '\0'; at++) {
    for (const char *c = replacements; *c && in_number_line(text, at); c++) {
      if (*c == text[at])
        continue;
      char *mutated = strdup(text);
      mutated[at] = *c;
      tried++;
      if (parse(mutated) != STATEFILE_OK) {
        ck_assert_msg(why[0] != '\0', "no reason at byte %zu", at);
        refused++;
      } else {
        assert_read_as_it_says(mutated, at);
      }
      free(mutated);
    }
  }
  ck_assert_uint_gt(tried, 1000);
  ck_assert_uint_gt(refused, 0);
  ck_assert_uint_lt(refused, tried);
  free(text);
}
END_TEST
/* One test changes every byte of a file, one at a time. */
static const unit_case_t test_case = {
    .setup = setup, .teardown = teardown, .timeout = 120};

int main(void) {
  const TTest *const tests[] = {
      a_file_cut_short_anywhere_is_refused,
      a_file_with_anything_after_its_end_line_is_refused,
      a_file_missing_a_line_in_the_middle_is_refused,
      an_end_line_that_is_not_exact_is_refused,
      a_changed_byte_in_a_number_is_refused_or_read_as_it_says,
  };
  return unit_main("statefile_damage", tests, N_OF(tests), &test_case);
}
