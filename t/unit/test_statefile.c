/* The state file: what an account has seen, written as text and read back
 * whole or not at all (another account's, another version's, a truncated
 * or corrupted file is refused), domains matched by name. */
#include "core/statefile.h"

#include "core/lifecycle.h"

#include "unit.h"

#include <check.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCOUNT "prod"
#define T0 1700000000

#define HEAD "collectd-dcdn-state 1\naccount prod\n"
#define DOMAINS "domain 0 a.example.com\ndomain 1 b.example.com\n"

static domtab_t written_with; /* the table of the plugin that wrote */
static domtab_t live;         /* the table of the plugin that reads */
static statefile_state_t st;  /* what was read */
static char why[256];

/* A table as for an account configured with these domains (sorted). */
static void make_table(domtab_t *tab, const char *const *names, size_t n) {
  conf_domain_t domains[8];
  ck_assert_uint_le(n, N_OF(domains));
  for (size_t i = 0; i < n; i++)
    domains[i] = (conf_domain_t){(char *)names[i], CONF_TYPES_ALL, CONF_INHERIT,
                                 CONF_INHERIT};
  conf_account_t account;
  memset(&account, 0, sizeof(account));
  account.name = (char *)ACCOUNT;
  account.domains = domains;
  account.domain_count = n;
  account.stuck_after = CONF_DEFAULT_STUCK_AFTER;
  account.notify = CONF_NOTIFY_ALL;
  ck_assert_int_eq(domtab_init(tab, &account), 0);
}

static const char *const two_domains[] = {"a.example.com", "b.example.com"};

/* Unless a test says otherwise, the plugin that reads has two_domains. */
static void setup(void) {
  memset(&written_with, 0, sizeof(written_with));
  memset(&st, 0, sizeof(st));
  strcpy(why, "");
  make_table(&live, two_domains, 2);
}

static void teardown(void) {
  statefile_state_free(&st);
  domtab_free(&written_with);
  domtab_free(&live);
}

/* The plugin that reads has these domains instead. */
static void live_domains(const char *const *names, size_t n) {
  domtab_free(&live);
  make_table(&live, names, n);
}

/* The text of s, written with tab's domains; the caller frees it. */
static char *formatted(const domtab_t *tab, const statefile_state_t *s) {
  strbuf_t text = STRBUF_INIT;
  statefile_format(&text, ACCOUNT, tab, s);
  ck_assert_ptr_nonnull(strbuf_str(&text));
  return strbuf_take(&text);
}

static void put_task(statefile_state_t *s, uint64_t id, int64_t created,
                     uint32_t domain, task_type_t type, task_status_t status,
                     unsigned progress, unsigned flags) {
  tracked_task_t t = {id,
                      created,
                      domain,
                      (uint8_t)type,
                      (uint8_t)status,
                      (uint8_t)progress,
                      (uint8_t)flags};
  bool is_new;
  ck_assert_int_eq(tracker_put(&s->tracker, &t, &is_new), 0);
  ck_assert(is_new);
}

static void set_cursor(statefile_state_t *s, uint32_t domain, unsigned type,
                       time_t covered) {
  size_t i = (size_t)domain * TASK_TYPE_COUNT + type;
  if (i >= s->domain_cursor_count) {
    s->domain_cursors =
        realloc(s->domain_cursors, (i + 1) * sizeof(*s->domain_cursors));
    ck_assert_ptr_nonnull(s->domain_cursors);
    memset(s->domain_cursors + s->domain_cursor_count, 0,
           (i + 1 - s->domain_cursor_count) * sizeof(*s->domain_cursors));
    s->domain_cursor_count = i + 1;
  }
  s->domain_cursors[i].covered_until = covered;
}

/* Something of everything; no single changed byte turns one task, counter
 * or cursor into another that exists. */
static void rich_state(statefile_state_t *s) {
  memset(s, 0, sizeof(*s));
  put_task(s, 1234567, T0, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100,
           LIFECYCLE_COUNTED);
  put_task(s, 7654321, T0 + 100, 1, TASK_TYPE_PRELOAD, TASK_STATUS_REFRESHING,
           40, LIFECYCLE_STUCK);
  put_task(s, 5550555, T0 + 200, DOMTAB_NONE, TASK_TYPE_DIRECTORY,
           TASK_STATUS_FAILED, 0,
           LIFECYCLE_COUNTED | LIFECYCLE_FAILURE_HANDLED);
  put_task(s, UINT64_C(9999999999999999999), T0 + 300, 0, TASK_TYPE_REGEX,
           TASK_STATUS_PENDING, 0, 0);
  ck_assert_int_eq(ledger_set(&s->ledger, 0, TASK_TYPE_FILE, 5, 1), 0);
  ck_assert_int_eq(ledger_set(&s->ledger, 1, TASK_TYPE_PRELOAD, 4, 2), 0);
  s->account_covered = T0 + 400;
  s->domain_mode = true;
  set_cursor(s, 0, TASK_TYPE_FILE, T0 + 250);
  set_cursor(s, 1, TASK_TYPE_PRELOAD, T0 + 260);
  s->health_failed = true;
}

/* The text of rich_state, written with two_domains; the caller frees it. */
static char *rich_file(void) {
  domtab_t tab;
  make_table(&tab, two_domains, 2);
  statefile_state_t s;
  rich_state(&s);
  char *text = formatted(&tab, &s);
  statefile_state_free(&s);
  domtab_free(&tab);
  return text;
}

/* Appends the end line that a hand-written file needs. */
static char *sealed(const char *body) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_printf(&sb, "%s", body);
  strbuf_printf(&sb, "end %zu\n", strlen(body));
  ck_assert_ptr_nonnull(strbuf_str(&sb));
  return strbuf_take(&sb);
}

/* Reads text into st as the plugin of that account. */
static int parse_for(const char *account, const char *text) {
  statefile_state_free(&st);
  strcpy(why, "");
  return statefile_parse(text, account, &live, &st, why, sizeof(why));
}

static int parse(const char *text) { return parse_for(ACCOUNT, text); }

static void assert_parses(const char *text) {
  ck_assert_msg(parse(text) == 0, "refused: %s", why);
}

/* Refused, for a reason given in why (that says reason, unless NULL). */
static void assert_refused_for(const char *account, const char *text,
                               const char *reason) {
  ck_assert_msg(parse_for(account, text) == -1, "accepted: %s", text);
  ck_assert_msg(why[0] != '\0', "no reason given");
  if (reason != NULL)
    ck_assert_msg(strstr(why, reason) != NULL, "reason \"%s\" lacks \"%s\"",
                  why, reason);
}

static void assert_refused(const char *text, const char *reason) {
  assert_refused_for(ACCOUNT, text, reason);
}

static void assert_sealed_parses(const char *body) {
  char *text = sealed(body);
  assert_parses(text);
  free(text);
}

static void assert_sealed_refused(const char *body, const char *reason) {
  char *text = sealed(body);
  assert_refused(text, reason);
  free(text);
}

static void assert_task(uint64_t id, int64_t created, uint32_t domain,
                        task_type_t type, task_status_t status,
                        unsigned progress, unsigned flags) {
  const tracked_task_t *t = tracker_get(&st.tracker, id);
  ck_assert_msg(t != NULL, "task %" PRIu64 " missing", id);
  ck_assert_int_eq(t->created, created);
  ck_assert_uint_eq(t->domain, domain);
  ck_assert_uint_eq(t->type, type);
  ck_assert_uint_eq(t->status, status);
  ck_assert_uint_eq(t->progress, progress);
  ck_assert_uint_eq(t->flags, flags);
}

static void assert_ledger(uint32_t domain, unsigned type, uint64_t completed,
                          uint64_t failed) {
  const ledger_entry_t *e = ledger_get(&st.ledger, domain, type);
  uint64_t c = e ? e->completed : 0, f = e ? e->failed : 0;
  ck_assert_msg(c == completed && f == failed,
                "ledger %u/%u: %" PRIu64 "/%" PRIu64 ", not %" PRIu64
                "/%" PRIu64,
                domain, type, c, f, completed, failed);
}

static time_t cursor_of(uint32_t domain, unsigned type) {
  size_t i = (size_t)domain * TASK_TYPE_COUNT + type;
  return i < st.domain_cursor_count ? st.domain_cursors[i].covered_until : 0;
}

static void assert_rich_state(uint32_t a, uint32_t b) {
  ck_assert_uint_eq(st.tracker.count, 4);
  assert_task(1234567, T0, a, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100,
              LIFECYCLE_COUNTED);
  assert_task(7654321, T0 + 100, b, TASK_TYPE_PRELOAD, TASK_STATUS_REFRESHING,
              40, LIFECYCLE_STUCK);
  assert_task(5550555, T0 + 200, DOMTAB_NONE, TASK_TYPE_DIRECTORY,
              TASK_STATUS_FAILED, 0,
              LIFECYCLE_COUNTED | LIFECYCLE_FAILURE_HANDLED);
  assert_task(UINT64_C(9999999999999999999), T0 + 300, a, TASK_TYPE_REGEX,
              TASK_STATUS_PENDING, 0, 0);
  assert_ledger(a, TASK_TYPE_FILE, 5, 1);
  assert_ledger(b, TASK_TYPE_PRELOAD, 4, 2);
  assert_ledger(a, TASK_TYPE_PRELOAD, 0, 0);
  assert_ledger(b, TASK_TYPE_FILE, 0, 0);
  ck_assert_int_eq(st.account_covered, T0 + 400);
  ck_assert(st.domain_mode);
  ck_assert_int_eq(cursor_of(a, TASK_TYPE_FILE), T0 + 250);
  ck_assert_int_eq(cursor_of(b, TASK_TYPE_PRELOAD), T0 + 260);
  ck_assert_int_eq(cursor_of(a, TASK_TYPE_PRELOAD), 0);
  ck_assert_int_eq(cursor_of(b, TASK_TYPE_FILE), 0);
  ck_assert(st.health_failed);
}

START_TEST(a_written_state_reads_back_the_same) {
  char *text = rich_file();
  assert_parses(text);
  assert_rich_state(0, 1);
  free(text);
}
END_TEST

START_TEST(the_file_is_text_with_a_header_and_an_end_line) {
  char *text = rich_file();
  ck_assert_msg(strncmp(text, STATEFILE_MAGIC " 1\naccount " ACCOUNT "\n",
                        strlen(STATEFILE_MAGIC " 1\naccount " ACCOUNT "\n")) ==
                    0,
                "%s", text);
  ck_assert_ptr_nonnull(strstr(text, "\ndomain 0 a.example.com\n"));
  ck_assert_ptr_nonnull(strstr(text, "\ndomain 1 b.example.com\n"));
  ck_assert_ptr_nonnull(strstr(text, "\nhealth failed\n"));
  ck_assert_ptr_nonnull(strstr(text, "\nmode domain\n"));
  ck_assert_ptr_nonnull(strstr(text, "\ntask 5550555 1700000200 - 1 3 0 3\n"));
  const char *end = strstr(text, "\nend ");
  ck_assert_ptr_nonnull(end);
  size_t declared = (size_t)strtoul(end + 5, NULL, 10);
  ck_assert_uint_eq(declared, (size_t)(end + 1 - text));
  ck_assert_uint_eq(text[strlen(text) - 1], '\n');
  free(text);
}
END_TEST

/* Reads text, then writes what was read: the same text, byte for byte. */
static void assert_written_again_the_same(const char *text) {
  assert_parses(text);
  char *again = formatted(&live, &st);
  ck_assert_str_eq(again, text);
  free(again);
}

START_TEST(what_was_read_writes_the_same_file_again) {
  char *text = rich_file();
  assert_written_again_the_same(text);
  free(text);
}
END_TEST

/* 55 and 144 both hash to the last of 64 slots, so the second one put
 * wraps round to the first slot: slot order is not insertion order, and a
 * file written in slot order came back in another order (found by
 * fuzz_statefile). */
START_TEST(tasks_are_written_in_task_id_order) {
  statefile_state_t s;
  memset(&s, 0, sizeof(s));
  put_task(&s, 144, T0, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100, 0);
  put_task(&s, 55, T0, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100, 0);
  put_task(&s, 7, T0, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100, 0);
  char *text = formatted(&live, &s);
  statefile_state_free(&s);
  const char *first = strstr(text, "task 7 ");
  const char *second = strstr(text, "task 55 ");
  const char *third = strstr(text, "task 144 ");
  ck_assert_ptr_nonnull(first);
  ck_assert_ptr_nonnull(second);
  ck_assert_ptr_nonnull(third);
  ck_assert(first < second && second < third);
  assert_written_again_the_same(text);
  free(text);
}
END_TEST

START_TEST(an_empty_state_reads_back_empty) {
  statefile_state_t empty;
  memset(&empty, 0, sizeof(empty));
  char *text = formatted(&live, &empty);
  assert_parses(text);
  ck_assert_uint_eq(st.tracker.count, 0);
  ck_assert_int_eq(st.account_covered, 0);
  ck_assert(!st.domain_mode);
  ck_assert(!st.health_failed);
  ck_assert_int_eq(cursor_of(0, TASK_TYPE_FILE), 0);
  assert_ledger(0, TASK_TYPE_FILE, 0, 0);
  free(text);
}
END_TEST

START_TEST(an_empty_file_is_refused) {
  assert_refused("", "truncated");
  assert_refused("\n", NULL);
  assert_refused("end 0\n", NULL);
}
END_TEST

START_TEST(a_file_of_something_else_is_refused) {
  assert_sealed_refused("collectd-dcdn-stat 1\naccount prod\n",
                        "not a collectd-dcdn state file");
  assert_sealed_refused("collectd-dcdn-statefile 1\naccount prod\n",
                        "not a collectd-dcdn state file");
  assert_sealed_refused("account prod\n", "not a collectd-dcdn state file");
  assert_sealed_refused("collectd-dcdn-state\naccount prod\n",
                        "not a collectd-dcdn state file");
  assert_refused("{\"json\": true}\n", NULL);
}
END_TEST

START_TEST(a_file_of_another_version_is_refused_naming_both_versions) {
  assert_sealed_refused("collectd-dcdn-state 7\naccount prod\n", "version 7");
  ck_assert_ptr_nonnull(strstr(why, "version 1"));
  assert_sealed_refused("collectd-dcdn-state 0\naccount prod\n", "version 0");
  ck_assert_ptr_nonnull(strstr(why, "version 1"));
}
END_TEST

START_TEST(a_file_of_another_account_is_refused) {
  char *text = rich_file();
  static const char *const others[] = {"staging", "prod2", "pro", ""};
  for (size_t i = 0; i < N_OF(others); i++)
    assert_refused_for(others[i], text, "another account");
  free(text);
  assert_sealed_refused("collectd-dcdn-state 1\n", "another account");
  assert_sealed_refused("collectd-dcdn-state 1\naccount\n", "another account");
}
END_TEST

START_TEST(a_file_cut_short_anywhere_is_refused) {
  char *text = rich_file();
  size_t len = strlen(text);
  for (size_t cut = 0; cut < len; cut++) {
    /* A copy of exactly that size, so that reading past it shows. */
    char *prefix = strndup(text, cut);
    ck_assert_ptr_nonnull(prefix);
    ck_assert_msg(parse(prefix) == -1, "a file cut at byte %zu of %zu was read",
                  cut, len);
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
  static char text[128];
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

/* Whether the written form of one line says what the read line said. */
static bool same_line(const char *read, const char *written) {
  char a[300], b[300];
  snprintf(a, sizeof(a), "%s", read);
  snprintf(b, sizeof(b), "%s", written);
  char *fa[16], *fb[16];
  size_t na = fields_of(a, fa, 16), nb = fields_of(b, fb, 16);
  if (na != nb || na > 16)
    return false;
  for (size_t i = 0; i < na; i++)
    if (!same_field(fa[i], fb[i]))
      return false;
  return true;
}

/* A corrupted file that was still read must mean exactly what it says:
 * written again, each of its lines comes back, the changed one perhaps
 * spelled differently (a leading zero), and nothing else. */
static void assert_read_as_written(const char *mutated, size_t at) {
  char *w = formatted(&live, &st);
  char *r = strdup(mutated);
  char *wl[64], *rl[64];
  size_t nw = 0, nr = 0;
  for (char *save = NULL, *l = strtok_r(w, "\n", &save); l && nw < 64;
       l = strtok_r(NULL, "\n", &save))
    if (strncmp(l, "end ", 4) != 0)
      wl[nw++] = l;
  for (char *save = NULL, *l = strtok_r(r, "\n", &save); l && nr < 64;
       l = strtok_r(NULL, "\n", &save))
    if (strncmp(l, "end ", 4) != 0)
      rl[nr++] = l;
  ck_assert_msg(nw == nr, "byte %zu: %zu lines read, %zu written:\n%s", at, nr,
                nw, mutated);
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

static bool number_line(const char *text, size_t at) {
  const char *line = text + at;
  while (line > text && line[-1] != '\n')
    line--;
  static const char *const kinds[] = {"task ", "ledger ", "cursor ", "covered ",
                                      "end "};
  for (size_t i = 0; i < N_OF(kinds); i++) {
    size_t n = strlen(kinds[i]);
    if (strncmp(line, kinds[i], n) == 0)
      return text + at >= line + n; /* past the kind */
  }
  return false;
}

START_TEST(a_changed_byte_in_a_number_is_refused_or_read_as_it_says) {
  char *text = rich_file();
  size_t len = strlen(text);
  static const char replacements[] = "0123456789 x-+\n.";
  size_t tried = 0, refused = 0;
  for (size_t at = 0; at < len; at++) {
    if (!number_line(text, at) || text[at] == '\n')
      continue;
    for (const char *c = replacements; *c; c++) {
      if (*c == text[at])
        continue;
      char *mutated = strdup(text);
      mutated[at] = *c;
      tried++;
      if (parse(mutated) != 0) {
        ck_assert_msg(why[0] != '\0', "no reason at byte %zu", at);
        refused++;
      } else {
        assert_read_as_written(mutated, at);
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

START_TEST(a_hand_written_file_reads) {
  assert_sealed_parses(HEAD DOMAINS "mode account\ncovered 1700000000\n"
                                    "health ok\n\n"
                                    "task 1 1700000000 1 0 2 100 1\n");
  ck_assert_int_eq(st.account_covered, T0);
  ck_assert(!st.domain_mode);
  assert_task(1, T0, 1, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100, 1);
}
END_TEST

START_TEST(a_line_of_an_unknown_kind_is_refused) {
  assert_sealed_refused(HEAD "colour blue\n", "line 3");
  assert_sealed_refused(HEAD "colour blue\n", "colour");
  assert_sealed_refused(HEAD DOMAINS "tasks 1 1700000000 0 0 2 100 1\n",
                        "line 5");
  assert_sealed_refused(HEAD "task\n", "no value");
  assert_sealed_refused(HEAD "Task 1 1700000000 - 0 2 100 1\n", NULL);
}
END_TEST

START_TEST(a_scalar_line_with_a_bad_value_is_refused) {
  assert_sealed_refused(HEAD "mode both\n", "bad mode line");
  assert_sealed_refused(HEAD "health fine\n", "bad health line");
  assert_sealed_refused(HEAD "covered -5\n", "bad covered line");
  assert_sealed_refused(HEAD "covered soon\n", "bad covered line");
  assert_sealed_refused(HEAD "covered 1700000000 1\n", "bad covered line");
}
END_TEST

START_TEST(a_task_of_a_status_and_type_not_known_yet_reads) {
  /* Unknown status and type (one past the last) are what the API may say. */
  assert_sealed_parses(HEAD DOMAINS "task 1 1700000000 0 4 4 0 0\n");
  assert_task(1, T0, 0, TASK_TYPE_UNKNOWN, TASK_STATUS_UNKNOWN, 0, 0);
}
END_TEST

static const char *const task_lines_out_of_range[] = {
    "task 1 1700000000 0 0 5 0 0\n",   /* status */
    "task 1 1700000000 0 0 255 0 0\n", /* status */
    "task 1 1700000000 0 0 -1 0 0\n",  /* status */
    "task 1 1700000000 0 5 0 0 0\n",   /* type */
    "task 1 1700000000 0 0 0 101 0\n", /* progress */
    "task 1 1700000000 0 0 0 0 256\n", /* flags */
    "task 0 1700000000 0 0 0 0 0\n",   /* id */
    "task 1 1700000000 0 0 0 0\n",     /* one field short */
    "task 1 1700000000 0 0 0 0 0 0\n", /* one field more */
    "task 1 1700000000 0x 0 0 0 0\n",  /* domain */
    "task -1 1700000000 0 0 0 0 0\n",  /* id */
};

START_TEST(a_task_with_a_field_out_of_range_is_refused) {
  strbuf_t body = STRBUF_INIT;
  strbuf_printf(&body, HEAD DOMAINS "%s", task_lines_out_of_range[_i]);
  assert_sealed_refused(strbuf_str(&body), "line 5");
  strbuf_free(&body);
}
END_TEST

START_TEST(a_line_naming_an_undeclared_domain_is_refused) {
  assert_sealed_refused(HEAD DOMAINS "task 1 1700000000 2 0 2 100 1\n", NULL);
  assert_sealed_refused(HEAD DOMAINS "ledger 2 0 1 1\n", "not declared");
  assert_sealed_refused(HEAD DOMAINS "cursor 2 0 1700000000\n", "not declared");
  /* Declared further down is too late. */
  assert_sealed_refused(HEAD "task 1 1700000000 0 0 2 100 1\n" DOMAINS, NULL);
  /* A number that only wraps around to a declared one. */
  assert_sealed_refused(HEAD DOMAINS "task 1 1700000000 4294967296 0 2 100 1\n",
                        NULL);
}
END_TEST

START_TEST(domains_must_be_declared_in_order_and_well_named) {
  assert_sealed_refused(HEAD "domain 1 a.example.com\n", "bad domain line");
  assert_sealed_refused(HEAD "domain 0 a.example.com\ndomain 0 b.example.com\n",
                        "bad domain line");
  assert_sealed_refused(HEAD "domain 0\n", "bad domain line");
  char body[512];
  char name[CONF_MAX_DOMAIN_LEN + 2];
  memset(name, 'a', sizeof(name) - 1);
  name[sizeof(name) - 1] = '\0';
  snprintf(body, sizeof(body), HEAD "domain 0 %s\n", name);
  assert_sealed_refused(body, "bad domain line");
  name[CONF_MAX_DOMAIN_LEN] = '\0';
  snprintf(body, sizeof(body), HEAD "domain 0 %s\n", name);
  assert_sealed_parses(body);
}
END_TEST

START_TEST(ledger_and_cursor_lines_out_of_range_are_refused) {
  assert_sealed_refused(HEAD DOMAINS "ledger 0 4 1 1\n", "bad ledger line");
  assert_sealed_refused(HEAD DOMAINS "ledger 0 0 1\n", "bad ledger line");
  assert_sealed_refused(HEAD DOMAINS "ledger 0 0 -1 0\n", "bad ledger line");
  assert_sealed_refused(HEAD DOMAINS "cursor 0 4 1700000000\n",
                        "bad cursor line");
  assert_sealed_refused(HEAD DOMAINS "cursor 0 0 -1\n", "bad cursor line");
  assert_sealed_refused(HEAD DOMAINS "cursor 0 0 1700000000 5\n",
                        "bad cursor line");
}
END_TEST

static const char *const three_domains[] = {"a.example.com", "b.example.com",
                                            "c.example.com"};

START_TEST(domains_are_matched_by_name_not_by_number) {
  live_domains(three_domains, 3); /* a=0 b=1 c=2 */
  assert_sealed_parses(HEAD "domain 0 c.example.com\n"
                            "ledger 0 0 5 1\n"
                            "cursor 0 0 1700000250\n"
                            "domain 1 a.example.com\n"
                            "ledger 1 3 2 0\n"
                            "cursor 1 3 1700000260\n"
                            "task 11 1700000000 0 0 2 100 1\n"
                            "task 12 1700000100 1 3 1 40 4\n");
  assert_task(11, T0, 2, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100, 1);
  assert_task(12, T0 + 100, 0, TASK_TYPE_PRELOAD, TASK_STATUS_REFRESHING, 40,
              4);
  assert_ledger(2, TASK_TYPE_FILE, 5, 1);
  assert_ledger(0, TASK_TYPE_PRELOAD, 2, 0);
  assert_ledger(0, TASK_TYPE_FILE, 0, 0);
  assert_ledger(1, TASK_TYPE_FILE, 0, 0);
  assert_ledger(1, TASK_TYPE_PRELOAD, 0, 0);
  ck_assert_int_eq(cursor_of(2, TASK_TYPE_FILE), T0 + 250);
  ck_assert_int_eq(cursor_of(0, TASK_TYPE_PRELOAD), T0 + 260);
  ck_assert_int_eq(cursor_of(0, TASK_TYPE_FILE), 0);
  ck_assert_int_eq(cursor_of(1, TASK_TYPE_FILE), 0);
  ck_assert_uint_eq(live.count, 3);
}
END_TEST

START_TEST(a_file_written_with_other_domains_reads_into_the_live_ones) {
  /* Written when b.example.com was domain 1, read now that it is 2. */
  make_table(&written_with, two_domains, 2);
  static const char *const now[] = {"a.example.com", "aa.example.com",
                                    "b.example.com"};
  live_domains(now, 3);
  ck_assert_uint_eq(domtab_find(&live, "b.example.com"), 2);
  statefile_state_t s;
  rich_state(&s);
  char *text = formatted(&written_with, &s);
  statefile_state_free(&s);
  assert_parses(text);
  assert_rich_state(0, 2);
  assert_ledger(1, TASK_TYPE_FILE, 0, 0);
  assert_ledger(1, TASK_TYPE_PRELOAD, 0, 0);
  ck_assert_int_eq(cursor_of(1, TASK_TYPE_PRELOAD), 0);
  free(text);
}
END_TEST

START_TEST(a_domain_no_longer_configured_keeps_its_tasks_unreported) {
  static const char *const only_a[] = {"a.example.com"};
  live_domains(only_a, 1);
  assert_sealed_parses(HEAD "domain 0 gone.example.com\n"
                            "ledger 0 0 9 9\n"
                            "cursor 0 0 1700000250\n"
                            "domain 1 a.example.com\n"
                            "ledger 1 1 3 0\n"
                            "task 13 1700000000 0 0 3 0 3\n"
                            "task 14 1700000000 1 1 2 100 1\n"
                            "task 15 1700000000 - 2 2 100 1\n");
  ck_assert_uint_eq(st.tracker.count, 3);
  assert_task(13, T0, DOMTAB_NONE, TASK_TYPE_FILE, TASK_STATUS_FAILED, 0, 3);
  assert_task(14, T0, 0, TASK_TYPE_DIRECTORY, TASK_STATUS_COMPLETE, 100, 1);
  assert_task(15, T0, DOMTAB_NONE, TASK_TYPE_REGEX, TASK_STATUS_COMPLETE, 100,
              1);
  assert_ledger(0, TASK_TYPE_FILE, 0, 0);
  assert_ledger(0, TASK_TYPE_DIRECTORY, 3, 0);
  ck_assert_int_eq(cursor_of(0, TASK_TYPE_FILE), 0);
  ck_assert_uint_eq(live.count, 1);
  ck_assert_uint_eq(domtab_find(&live, "gone.example.com"), DOMTAB_NONE);

  /* Written again, the gone domain's counters are gone too. */
  char *text = formatted(&live, &st);
  ck_assert_ptr_null(strstr(text, "gone"));
  ck_assert_ptr_nonnull(strstr(text, "\ntask 13 1700000000 - 0 3 0 3\n"));
  free(text);
}
END_TEST

START_TEST(with_domain_star_the_file_domains_join_the_live_table) {
  static const char *const star[] = {"*"};
  live_domains(star, 1);
  ck_assert_uint_eq(live.count, 0);
  assert_sealed_parses(HEAD "domain 0 y.example.com\n"
                            "domain 1 x.example.com\n"
                            "ledger 1 0 4 0\n"
                            "task 16 1700000000 0 0 2 100 1\n");
  ck_assert_uint_eq(live.count, 2);
  uint32_t x = domtab_find(&live, "x.example.com");
  uint32_t y = domtab_find(&live, "y.example.com");
  ck_assert_uint_ne(x, DOMTAB_NONE);
  ck_assert_uint_ne(y, DOMTAB_NONE);
  assert_task(16, T0, y, TASK_TYPE_FILE, TASK_STATUS_COMPLETE, 100, 1);
  assert_ledger(x, TASK_TYPE_FILE, 4, 0);
}
END_TEST

START_TEST(a_refused_file_leaves_a_state_that_frees_cleanly) {
  /* Refused at the last line, after tasks and counters were read. */
  assert_sealed_refused(HEAD DOMAINS "ledger 0 0 5 1\ncursor 0 0 1700000000\n"
                                     "task 1 1700000000 0 0 2 100 1\n"
                                     "task 2 1700000000 0 0 9 100 1\n",
                        "line 8");
  statefile_state_free(&st);
  ck_assert_uint_eq(st.tracker.count, 0);
  ck_assert_ptr_null(st.domain_cursors);
}
END_TEST

static void add_loop_tests(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc, a_task_with_a_field_out_of_range_is_refused, 0,
                      N_OF(task_lines_out_of_range));
}

/* Some tests change every byte of a file, one at a time. */
static const unit_case_t test_case = {.setup = setup,
                                      .teardown = teardown,
                                      .timeout = 120,
                                      .extend = add_loop_tests};

int main(void) {
  const TTest *const tests[] = {
      a_written_state_reads_back_the_same,
      the_file_is_text_with_a_header_and_an_end_line,
      what_was_read_writes_the_same_file_again,
      tasks_are_written_in_task_id_order,
      an_empty_state_reads_back_empty,
      an_empty_file_is_refused,
      a_file_of_something_else_is_refused,
      a_file_of_another_version_is_refused_naming_both_versions,
      a_file_of_another_account_is_refused,
      a_file_cut_short_anywhere_is_refused,
      a_file_with_anything_after_its_end_line_is_refused,
      a_file_missing_a_line_in_the_middle_is_refused,
      an_end_line_that_is_not_exact_is_refused,
      a_changed_byte_in_a_number_is_refused_or_read_as_it_says,
      a_hand_written_file_reads,
      a_line_of_an_unknown_kind_is_refused,
      a_scalar_line_with_a_bad_value_is_refused,
      a_task_of_a_status_and_type_not_known_yet_reads,
      a_line_naming_an_undeclared_domain_is_refused,
      domains_must_be_declared_in_order_and_well_named,
      ledger_and_cursor_lines_out_of_range_are_refused,
      domains_are_matched_by_name_not_by_number,
      a_file_written_with_other_domains_reads_into_the_live_ones,
      a_domain_no_longer_configured_keeps_its_tasks_unreported,
      with_domain_star_the_file_domains_join_the_live_table,
      a_refused_file_leaves_a_state_that_frees_cleanly,
  };
  return unit_main("statefile", tests, N_OF(tests), &test_case);
}
