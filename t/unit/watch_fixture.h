/* What the tests of the watch and of the state file build on: an account
 * written as the configuration a user writes (the inside of its
 * <Account "prod"> block), its watch, the tasks an answer would hold and
 * what a watch would hold after earlier polls. Header only, so that no
 * build rule is needed for it. */
#ifndef DCDN_WATCH_FIXTURE_H
#define DCDN_WATCH_FIXTURE_H

#include "core/conf.h"
#include "core/statefile.h"
#include "core/strbuf.h"
#include "core/streams.h"
#include "core/watch.h"
#include "oconfig_builder.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The credentials of an account that names no other source. */
#define WF_KEY "AccessKeyId \"LTAIkey\"\nAccessKeySecret \"s3cr3t\"\n"

/* A time of the tests' "now": 2024-05-06T07:08:09Z. */
#define WF_NOW ((time_t)1714979289)

/* Parses the inside of <Account "prod"> (it must be valid) into *conf,
 * which the caller frees with conf_free, and returns the account. */
static inline const conf_account_t *wf_account(conf_t *conf, const char *body) {
  char text[4096];
  int n =
      snprintf(text, sizeof(text), "<Account \"prod\">\n%s</Account>\n", body);
  ck_assert(n > 0 && (size_t)n < sizeof(text));
  oconfig_item_t *root = oconfig_from_text(text);
  char err[512] = "";
  *conf = (conf_t)CONF_INIT;
  int status = conf_add_block(conf, root, err, sizeof(err), NULL, NULL);
  oconfig_builder_free(root);
  ck_assert_msg(status == 0 && conf->count == 1, "%s", err);
  return &conf->accounts[0];
}

/* The watch of the account that body configures (conf is its storage). */
static inline void wf_watch(watch_t *w, conf_t *conf, const char *body) {
  ck_assert_int_eq(watch_init(w, wf_account(conf, body)), 0);
}

/* A task as an answer gives it; the strings are the caller's. */
static inline task_t wf_task(const char *id, const char *path, task_type_t type,
                             task_status_t status, time_t created) {
  task_t t;
  memset(&t, 0, sizeof(t));
  t.task_id = (char *)id;
  t.object_path = (char *)path;
  t.description = (char *)"";
  t.type = type;
  t.status = status;
  t.progress = status == TASK_STATUS_COMPLETE ? 100 : 0;
  t.created = created;
  return t;
}

/* The number of a domain the watch knows. */
static inline uint32_t wf_domain(const watch_t *w, const char *name) {
  uint32_t d = domtab_find(&w->domains, name);
  ck_assert_msg(d != DOMTAB_NONE, "no domain %s", name);
  return d;
}

/* A task the watch holds from earlier polls (or a state file). */
static inline void wf_put(watch_t *w, uint64_t id, time_t created,
                          uint32_t domain, unsigned type, unsigned status,
                          unsigned flags) {
  tracked_task_t t = {id,
                      (int64_t)created,
                      domain,
                      (uint8_t)type,
                      (uint8_t)status,
                      (uint8_t)(status == TASK_STATUS_COMPLETE ? 100 : 0),
                      (uint8_t)flags};
  bool is_new;
  ck_assert_int_eq(tasktable_put(&w->tasks, &t, &is_new), 0);
}

/* A stream read completely from `from` to `until` by earlier polls. */
static inline void wf_cover(watch_t *w, uint32_t domain, unsigned type,
                            time_t from, time_t until) {
  plan_cursor_t *c = streams_at(&w->streams, domain, type);
  ck_assert_ptr_nonnull(c);
  c->covered_from = from;
  c->covered_until = until;
}

/* Every reported stream of every domain read from `from` to `until`. */
static inline void wf_cover_all(watch_t *w, time_t from, time_t until) {
  for (uint32_t d = 0; d < w->domains.count; d++)
    for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
      if (watch_reports(w, d, t))
        wf_cover(w, d, t, from, until);
}

/* ---- state files ---- */

/* The owner lines of the account WF_KEY configures. */
#define WF_HEAD                                                                \
  "collectd-dcdn-state 2\naccount prod\n"                                      \
  "endpoint https://dcdn.aliyuncs.com\ncredential key LTAIkey\n"

/* body with the end line a hand-written file needs; the caller frees it. */
static inline char *wf_sealed(const char *body) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_printf(&sb, "%send %zu\n", body, strlen(body));
  ck_assert_ptr_nonnull(strbuf_str(&sb));
  return strbuf_take(&sb);
}

/* The file of watch w of the account; the caller frees it. */
static inline char *wf_format(const conf_account_t *account, const watch_t *w,
                              bool health_failed) {
  statefile_owner_t owner;
  statefile_owner(account, &owner);
  strbuf_t text = STRBUF_INIT;
  statefile_format(&text, &owner, w, health_failed);
  ck_assert_ptr_nonnull(strbuf_str(&text));
  return strbuf_take(&text);
}

/* Reads text as the account's file into *st (free it whatever the
 * result); the reason of a refusal goes to why. */
static inline statefile_status_t wf_parse(const conf_account_t *account,
                                          const char *text,
                                          statefile_state_t *st, char *why,
                                          size_t why_size) {
  statefile_owner_t owner;
  statefile_owner(account, &owner);
  return statefile_parse(text, &owner, st, why, why_size);
}

#endif
