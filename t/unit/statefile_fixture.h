/* What the tests of the state file text share: an account with Domain
 * "*" and two domains, the watch that wrote its file, something of
 * everything in it, and reading a text as that account's file. */
#ifndef DCDN_STATEFILE_FIXTURE_H
#define DCDN_STATEFILE_FIXTURE_H

#include "core/lifecycle.h"
#include "core/statefile.h"
#include "watch_fixture.h"

#include "unit.h"

#include <check.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1700000000
#define HEAD WF_HEAD
#define DOMAINS "domain 0 a.example.com\ndomain 1 b.example.com\n"
/* Domain "*" besides a and b, QueryMode auto. */
#define RICH WF_KEY "Domain \"*\" \"a.example.com\" \"b.example.com\"\n"

static conf_t conf;
static const conf_account_t *account;
static watch_t written;      /* the watch of the plugin that wrote */
static statefile_state_t st; /* what was read */
static char why[256];

static inline void setup(void) {
  account = wf_account(&conf, RICH);
  ck_assert_int_eq(watch_init(&written, account), 0);
}

static inline void teardown(void) {
  statefile_state_free(&st);
  watch_free(&written);
  conf_free(&conf);
}

/* Something of everything, as a watch holds it after polls: a dormant
 * domain (2), a wildcard stream, two streams with counters, tasks in
 * flight and finished. No single changed byte turns one task, counter or
 * stream into another that exists. */
static inline void rich_watch(watch_t *w) {
  ck_assert_uint_eq(domtab_add_dormant(&w->domains, "gone.example.com"), 2);
  w->domain_mode = true;
  w->streams.wildcard[TASK_TYPE_REGEX] =
      (plan_cursor_t){.covered_from = T0 - 1000, .covered_until = T0 + 270};
  wf_cover(w, 0, TASK_TYPE_FILE, T0 - 1000, T0 + 250);
  wf_cover(w, 1, TASK_TYPE_PRELOAD, T0 - 1000, T0 + 260);
  ck_assert_int_eq(lifetime_set(&w->lifetime, 0, TASK_TYPE_FILE, 5, 1), 0);
  ck_assert_int_eq(lifetime_set(&w->lifetime, 1, TASK_TYPE_PRELOAD, 4, 2), 0);
  wf_put(w, 1234567, T0, 0, TASK_TYPE_FILE, TASK_STATUS_COMPLETE,
         LIFECYCLE_COUNTED);
  wf_put(w, 7654321, T0 + 100, 1, TASK_TYPE_PRELOAD, TASK_STATUS_REFRESHING,
         LIFECYCLE_STUCK);
  wf_put(w, 5550555, T0 + 200, 2, TASK_TYPE_DIRECTORY, TASK_STATUS_FAILED,
         LIFECYCLE_FAILURE_HANDLED);
  wf_put(w, UINT64_C(9999999999999999999), T0 + 300, 0, TASK_TYPE_REGEX,
         TASK_STATUS_PENDING, 0);
}

/* The text of rich_watch, health failed; the caller frees it. */
static inline char *rich_file(void) {
  rich_watch(&written);
  return wf_format(account, &written, true);
}

static inline statefile_status_t parse(const char *text) {
  statefile_state_free(&st);
  why[0] = '\0';
  return wf_parse(account, text, &st, why, sizeof(why));
}

static inline void assert_parses(const char *text) {
  ck_assert_msg(parse(text) == STATEFILE_OK, "refused: %s", why);
}

/* The refusal was as `status`, for a reason that says `reason` (unless
 * NULL). */
static inline void assert_refusal(statefile_status_t got,
                                  statefile_status_t status,
                                  const char *reason) {
  ck_assert_msg(got == status, "read as %d, not %d", got, status);
  ck_assert_msg(why[0] != '\0', "no reason given");
  if (reason != NULL)
    ck_assert_msg(strstr(why, reason) != NULL, "reason \"%s\" lacks \"%s\"",
                  why, reason);
}

static inline void assert_refused_as(statefile_status_t status,
                                     const char *text, const char *reason) {
  assert_refusal(parse(text), status, reason);
}

static inline void assert_refused(const char *text, const char *reason) {
  assert_refused_as(STATEFILE_BAD, text, reason);
}

static inline void assert_sealed_parses(const char *body) {
  char *text = wf_sealed(body);
  statefile_status_t got = parse(text);
  free(text);
  ck_assert_msg(got == STATEFILE_OK, "refused: %s", why);
}

/* Freed before asserting: a failed test leaks nothing (CK_FORK=no). */
static inline void assert_sealed_refused(const char *body, const char *reason) {
  char *text = wf_sealed(body);
  statefile_status_t got = parse(text);
  free(text);
  assert_refusal(got, STATEFILE_BAD, reason);
}

static inline void assert_task(uint64_t id, int64_t created, uint32_t domain,
                               task_type_t type, task_status_t status,
                               unsigned progress, unsigned flags) {
  const tracked_task_t *t = tasktable_get(&st.tasks, id);
  ck_assert_msg(t != NULL, "task %" PRIu64 " missing", id);
  ck_assert_int_eq(t->created, created);
  ck_assert_uint_eq(t->domain, domain);
  ck_assert_uint_eq(t->type, type);
  ck_assert_uint_eq(t->status, status);
  ck_assert_uint_eq(t->progress, progress);
  ck_assert_uint_eq(t->flags, flags);
}

static inline void assert_stream(const plan_cursor_t *c, time_t from,
                                 time_t until) {
  ck_assert_int_eq(c->covered_from, from);
  ck_assert_int_eq(c->covered_until, until);
}

#endif
