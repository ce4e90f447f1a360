#include "core/watch.h"

#include "core/apicode.h"
#include "core/retry.h"
#include "core/site.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int watch_init(watch_t *w, const conf_account_t *conf) {
  memset(w, 0, sizeof(*w));
  w->lookback = conf->lookback;
  const product_t *product = &products[conf->product];
  w->page_size = product->page_size;
  /* Without an account-wide list every poll is domain by domain, and
   * without a lookup by id tasks in flight are re-read by their windows. */
  w->query_mode =
      product->account_list ? conf->query_mode : CONF_QUERY_DOMAIN;
  w->domain_mode = w->query_mode == CONF_QUERY_DOMAIN;
  w->byid_refused = product->byid_action == NULL;
  w->by_site = product->sites_action != NULL;
  w->hostless_types = product->hostless_types;
  if (domtab_init(&w->domains, conf) != 0)
    return -1;
  sites_settle_owners(&w->domains, w->hostless_types); /* SiteIds given */
  return 0;
}

void watch_free(watch_t *w) {
  domtab_free(&w->domains);
  tasktable_free(&w->tasks);
  lifetime_free(&w->lifetime);
  streams_free(&w->streams);
  plan_idqueue_free(&w->by_id);
}

bool watch_reports(const watch_t *w, uint32_t domain, unsigned type) {
  if (domain >= w->domains.count || type >= TASK_TYPE_COUNT)
    return false;
  const domtab_entry_t *d = &w->domains.entries[domain];
  return (d->type_mask & ~d->not_owner & (1u << type)) != 0;
}

bool watch_ready(const watch_t *w, uint32_t domain, unsigned type, time_t now) {
  return plan_cursor_ready(streams_get(&w->streams, domain, type), now,
                           w->lookback);
}

time_t watch_covered(const watch_t *w, uint32_t domain, unsigned type) {
  const plan_cursor_t *c = streams_get(&w->streams, domain, type);
  return c ? c->covered_until : 0;
}

bool watch_wildcard_reports(const watch_t *w, unsigned type) {
  return w->domains.wildcard &&
         (w->domains.wildcard_settings.type_mask & (1u << type));
}

bool watch_wildcard_ready(const watch_t *w, time_t now) {
  bool any = false;
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++) {
    if (!watch_wildcard_reports(w, t))
      continue;
    if (!plan_cursor_ready(&w->streams.wildcard[t], now, w->lookback))
      return false;
    any = true;
  }
  return any;
}

time_t watch_wildcard_covered(const watch_t *w) {
  time_t oldest = 0;
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
    if (watch_wildcard_reports(w, t) &&
        (oldest == 0 || w->streams.wildcard[t].covered_until < oldest))
      oldest = w->streams.wildcard[t].covered_until;
  return oldest;
}

void watch_begin_poll(watch_t *w, time_t now) {
  streams_each(&w->streams, plan_cursor_clamp, now);
  plan_cursor_clamp(&w->scan, now);
  w->polls++;
}

/* A domain Domain "*" has just found had no task in what the account-wide
 * scans covered so far: it is known as far as they are. */
static void watch_seed_found(watch_t *w, uint32_t domain) {
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++) {
    plan_cursor_t *c = streams_at(&w->streams, domain, t);
    if (c != NULL) {
      c->covered_from = w->streams.wildcard[t].covered_from;
      c->covered_until = w->streams.wildcard[t].covered_until;
      c->counted_from = c->covered_from;
    }
  }
}

/* The domain number of a host. Domain "*" adds hosts in account mode only:
 * domain by domain, only the domains listed by name are read. */
static uint32_t watch_resolve(watch_t *w, const char *host) {
  if (w->domain_mode)
    return domtab_find(&w->domains, host);
  size_t before = w->domains.count;
  uint32_t d = domtab_resolve(&w->domains, host);
  if (d != DOMTAB_NONE && d >= before)
    watch_seed_found(w, d);
  return d;
}

/* The tracked form of a task, or the reason it is not tracked. */
static watch_verdict_t watch_tracked_form(watch_t *w, const task_t *task,
                                          time_t now, tracked_task_t *t) {
  memset(t, 0, sizeof(*t));
  if (tasktable_parse_id(task->task_id, &t->id) != 0)
    return WATCH_BAD_TASK_ID;
  /* A cold start would not see it: it must not count now either. */
  if (task->created < plan_oldest(now, w->lookback) &&
      tasktable_get(&w->tasks, t->id) == NULL)
    return WATCH_TOO_OLD;
  char host[CONF_MAX_DOMAIN_LEN + 1];
  if (task->owner_host != NULL)
    snprintf(host, sizeof(host), "%s", task->owner_host);
  else if (task_domain_of_path(task->object_path, host, sizeof(host)) != 0)
    return WATCH_BAD_HOST;
  if (task->type >= TASK_TYPE_COUNT || task->status >= TASK_STATUS_COUNT)
    return WATCH_NOT_REPORTED; /* the caller warns about the value */
  t->domain = watch_resolve(w, host);
  if (!watch_reports(w, t->domain, task->type))
    return WATCH_NOT_REPORTED;
  /* A site's answer naming a host of another site: not that domain's. */
  if (task->site_id != 0 &&
      w->domains.entries[t->domain].site_id != task->site_id)
    return WATCH_NOT_REPORTED;
  t->created = task->created;
  t->type = (uint8_t)task->type;
  t->status = (uint8_t)task->status;
  t->progress = (uint8_t)task->progress;
  return WATCH_TRACKED;
}

void watch_observe(watch_t *w, const task_t *task, time_t now,
                   watch_seen_t *out) {
  memset(out, 0, sizeof(*out));
  tracked_task_t t;
  out->verdict = watch_tracked_form(w, task, now, &t);
  if (out->verdict != WATCH_TRACKED)
    return;
  out->domain = t.domain;
  const tracked_task_t *known = tasktable_get(&w->tasks, t.id);
  const plan_cursor_t *stream = streams_get(&w->streams, t.domain, t.type);
  tracked_task_t old = known ? *known : (tracked_task_t){0};
  /* A cache tag's owner changed (the configuration did): the new one
   * counts it as a cold start would; what was notified of it stays told. */
  if (known != NULL && known->domain != t.domain) {
    old.flags &= (uint8_t)~LIFECYCLE_COUNTED;
    known = &old;
  }
  /* Dropped by a lowered Lookback and read again: counted and judged
   * then, so as if it had been known all along. */
  if (known == NULL && plan_was_counted(stream, task->created)) {
    old = t;
    old.flags = LIFECYCLE_COUNTED | LIFECYCLE_FAILURE_HANDLED;
    known = &old;
  }
  bool history = known == NULL && plan_is_history(stream, task->created);
  const domtab_entry_t *d = &w->domains.entries[t.domain];
  bool warns_stuck = !w->muted && (d->notify & CONF_NOTIFY_STUCK);
  lifecycle_observe(known ? &old : NULL, &t, now, d->stuck_after, history,
                    warns_stuck, &out->events);
  bool is_new = false;
  if (lifetime_record(&w->lifetime, t.domain, t.type, &out->events) != 0 ||
      tasktable_put(&w->tasks, &t, &is_new) != 0) {
    out->verdict = WATCH_NO_MEMORY;
    return;
  }
  w->window_new_tasks += is_new;
}

/* ---- refreshing tasks in flight ---- */

/* Where the window that reads a task's stream starts: the account-wide one
 * (account_start), or the stream's own (account_start 0). */
static time_t watch_cutoff(const watch_t *w, const tracked_task_t *t,
                           time_t now, time_t account_start) {
  if (account_start != 0)
    return account_start;
  return plan_next_start(streams_get(&w->streams, t->domain, t->type), now,
                         w->lookback);
}

/* Only reported tasks are worth a call: those of dormant domains and types
 * are kept for what was notified of them, not refreshed. */
static bool watch_left_behind(const watch_t *w, const tracked_task_t *t,
                              time_t now, time_t account_start) {
  return tasktable_in_flight(t) && watch_reports(w, t->domain, t->type) &&
         t->created < watch_cutoff(w, t, now, account_start);
}

/* Queues the tasks in flight that start before their window's cutoff. */
static int watch_queue(watch_t *w, time_t now, time_t account_start) {
  if (w->byid_refused || !plan_idqueue_empty(&w->by_id))
    return 0; /* the last interval's batch is still being worked off */
  size_t pos = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(&w->tasks, &pos)) != NULL)
    if (watch_left_behind(w, t, now, account_start) &&
        plan_idqueue_push(&w->by_id, t->id) != 0)
      return -1;
  return 0;
}

int watch_queue_left_behind(watch_t *w, time_t now) {
  return watch_queue(w, now, 0);
}

/* What the choice between re-scanning and lookups by id weighs. */
static plan_refresh_input_t watch_refresh_input(const watch_t *w, time_t now,
                                                time_t start) {
  plan_refresh_input_t in = {0, 0, 0, w->last_window_tasks, w->page_size};
  size_t pos = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(&w->tasks, &pos)) != NULL)
    if (watch_left_behind(w, t, now, start) &&
        (in.in_flight++ == 0 || t->created < in.oldest_in_flight))
      in.oldest_in_flight = (time_t)t->created;
  pos = 0;
  while (in.in_flight > 0 && (t = tasktable_next(&w->tasks, &pos)) != NULL)
    in.known_in_range +=
        t->created >= in.oldest_in_flight && t->created < start;
  return in;
}

/* The reported streams one by one, those of Domain "*" last (domain
 * DOMTAB_NONE): start with *pos = 0. */
static bool watch_next_reported(const watch_t *w, size_t *pos,
                                watch_pair_t *out) {
  for (; *pos < (w->domains.count + 1) * TASK_TYPE_COUNT; (*pos)++) {
    uint32_t d = (uint32_t)(*pos / TASK_TYPE_COUNT);
    unsigned t = (unsigned)(*pos % TASK_TYPE_COUNT);
    bool wild = d == w->domains.count;
    if (wild ? watch_wildcard_reports(w, t) : watch_reports(w, d, t)) {
      *out = (watch_pair_t){wild ? DOMTAB_NONE : d, t};
      (*pos)++;
      return true;
    }
  }
  return false;
}

/* The stream's cursor; made when make is set (NULL: out of memory), else
 * NULL when it was never made. */
static plan_cursor_t *watch_cursor(watch_t *w, watch_pair_t p, bool make) {
  if (p.domain == DOMTAB_NONE)
    return &w->streams.wildcard[p.type];
  return make ? streams_at(&w->streams, p.domain, p.type)
              : (plan_cursor_t *)streams_get(&w->streams, p.domain, p.type);
}

/* The oldest point any reported stream needs read; false when every one
 * is known up to now. */
static bool watch_account_start(watch_t *w, time_t now, time_t *start) {
  bool any = false, current = true;
  size_t pos = 0;
  watch_pair_t p;
  while (watch_next_reported(w, &pos, &p)) {
    const plan_cursor_t *c = watch_cursor(w, p, false);
    time_t s = plan_next_start(c, now, w->lookback);
    if (!any || s < *start)
      *start = s;
    any = true;
    current = current && plan_cursor_ready(c, now, w->lookback) &&
              c->covered_until >= now;
  }
  return any && !current;
}

int watch_account_begin(watch_t *w, time_t now) {
  plan_cursor_t *scan = &w->scan;
  if (plan_cursor_resumes(scan))
    return 1; /* resumed where the last interval stopped */
  plan_cursor_abandon(scan);
  time_t start = 0;
  if (!watch_account_start(w, now, &start))
    return 0;
  plan_refresh_input_t in = watch_refresh_input(w, now, start);
  plan_refresh_t how = plan_choose_refresh(&in);
  if (w->byid_refused && how == PLAN_REFRESH_BYID)
    how = PLAN_REFRESH_RESCAN;
  /* A re-scan cannot reach past the API's three days: what is older is
   * looked up by id all the same. */
  time_t queue_before =
      how == PLAN_REFRESH_BYID ? start : plan_scan_oldest(now);
  if (how != PLAN_REFRESH_NONE && watch_queue(w, now, queue_before) != 0)
    return -1;
  if (how == PLAN_REFRESH_RESCAN && in.oldest_in_flight < start)
    start = in.oldest_in_flight;
  plan_window_begin(scan, start, now, w->page_size);
  w->window_new_tasks = 0;
  return 1;
}

void watch_account_done(watch_t *w) {
  const plan_window_t *window = &w->scan.window;
  size_t pos = 0;
  watch_pair_t p;
  while (watch_next_reported(w, &pos, &p)) {
    plan_cursor_t *c = watch_cursor(w, p, true);
    if (c != NULL)
      plan_cursor_cover(c, window->covers_from, window->end);
  }
  w->scan.scanning = false;
  w->last_window_tasks = w->window_new_tasks;
}

/* ---- domain mode ---- */

typedef struct {
  watch_pair_t pair;
  bool failing; /* its last query failed */
  time_t key;   /* covered_until, 0 when not ready */
} watch_ranked_t;

/* The fixed order of pairs: domain by domain, type by type. */
static int watch_index_order(const watch_ranked_t *x, const watch_ranked_t *y) {
  size_t i = (size_t)x->pair.domain * TASK_TYPE_COUNT + x->pair.type;
  size_t j = (size_t)y->pair.domain * TASK_TYPE_COUNT + y->pair.type;
  return (i > j) - (i < j);
}

static int watch_compare_ranked(const void *a, const void *b) {
  const watch_ranked_t *x = a, *y = b;
  /* A refused pair, however stale, would fail again: the pairs that are
   * granted come first, so that refused ones never use up their budget. */
  if (x->failing != y->failing)
    return x->failing ? 1 : -1;
  /* Among the refused, staleness means nothing (it only grows): their
   * fixed order, rotated afterwards. */
  if (x->failing)
    return watch_index_order(x, y);
  if (x->key != y->key)
    return (x->key > y->key) - (x->key < y->key);
  /* Equal staleness: a fixed order, so that ties do not reshuffle. */
  return watch_index_order(x, y);
}

/* The ranked pairs into out, the failing ones (the tail from first_failing)
 * rotated by the poll's number: each is tried first of them in turn, and
 * a budget that reaches one of them a poll still reaches all of them. */
static void watch_take_turns(const watch_t *w, const watch_ranked_t *ranked,
                             size_t n, watch_pair_t *out) {
  size_t first_failing = 0;
  while (first_failing < n && !ranked[first_failing].failing)
    first_failing++;
  size_t failing = n - first_failing;
  size_t turn = failing > 0 ? (size_t)(w->polls % failing) : 0;
  for (size_t i = 0; i < n; i++)
    out[i] = i < first_failing
                 ? ranked[i].pair
                 : ranked[first_failing +
                          (i - first_failing + turn) % failing].pair;
}

long watch_domain_order(const watch_t *w, time_t now, watch_pair_t **pairs) {
  size_t max = w->domains.count * TASK_TYPE_COUNT;
  watch_ranked_t *ranked = calloc(max + 1, sizeof(*ranked));
  *pairs = calloc(max + 1, sizeof(**pairs));
  if (ranked == NULL || *pairs == NULL) {
    free(ranked);
    free(*pairs);
    *pairs = NULL;
    return -1;
  }
  size_t n = 0, pos = 0;
  watch_pair_t p;
  while (watch_next_reported(w, &pos, &p)) {
    if (p.domain == DOMTAB_NONE) /* Domain "*" has no query of its own */
      continue;
    ranked[n++] = (watch_ranked_t){
        p, watch_pair_failing(w, p),
        watch_ready(w, p.domain, p.type, now) ? watch_covered(w, p.domain, p.type)
                                              : 0};
  }
  qsort(ranked, n, sizeof(*ranked), watch_compare_ranked);
  watch_take_turns(w, ranked, n, *pairs);
  free(ranked);
  return (long)n;
}

/* The pair's oldest task in flight that its next window does not reach, or
 * 0 when there is none. */
static time_t watch_pair_oldest_left(const watch_t *w, watch_pair_t pair,
                                     time_t now) {
  time_t oldest = 0;
  size_t pos = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(&w->tasks, &pos)) != NULL)
    if (t->domain == pair.domain && t->type == pair.type &&
        watch_left_behind(w, t, now, 0) && (oldest == 0 || t->created < oldest))
      oldest = (time_t)t->created;
  return oldest;
}

/* Listed by site: whether b is another reported pair of a's site and
 * type, which a's query reads as well. */
static bool watch_sibling(const watch_t *w, watch_pair_t a, uint32_t b) {
  return w->by_site && b != a.domain && watch_reports(w, b, a.type) &&
         w->domains.entries[b].site_id == w->domains.entries[a.domain].site_id;
}

/* How far back the pair's window reaches for what is not its own next
 * window: its tasks in flight (without lookups by id), and listed by site
 * whatever its siblings' next windows need. 0: no further. */
static time_t watch_pair_reach(const watch_t *w, watch_pair_t pair,
                               time_t now) {
  time_t reach = w->byid_refused ? watch_pair_oldest_left(w, pair, now) : 0;
  for (uint32_t d = 0; d < w->domains.count; d++) {
    if (!watch_sibling(w, pair, d))
      continue;
    watch_pair_t other = {d, pair.type};
    time_t need = plan_next_start(watch_cursor((watch_t *)w, other, false),
                                  now, w->lookback);
    time_t left = w->byid_refused ? watch_pair_oldest_left(w, other, now) : 0;
    if (left != 0 && left < need)
      need = left;
    if (reach == 0 || need < reach)
      reach = need;
  }
  return reach;
}

bool watch_pair_begin(watch_t *w, watch_pair_t pair, time_t now) {
  if (w->by_site && w->domains.entries[pair.domain].site_id == 0)
    return false; /* no site to ask */
  plan_cursor_t *c = streams_at(&w->streams, pair.domain, pair.type);
  if (c == NULL)
    return false;
  return plan_cursor_begin(c, now, w->lookback,
                           watch_pair_reach(w, pair, now), w->page_size);
}

void watch_pair_done(watch_t *w, watch_pair_t pair) {
  plan_cursor_t *c = streams_at(&w->streams, pair.domain, pair.type);
  if (c == NULL)
    return;
  plan_window_t window = c->window;
  plan_cursor_finish(c);
  /* The window read every task of the site and type over its range: a
   * sibling whose next window it includes is covered, its own window
   * (begun in an earlier poll, say) given up. */
  for (uint32_t d = 0; d < w->domains.count; d++) {
    if (!watch_sibling(w, pair, d))
      continue;
    plan_cursor_t *s = streams_at(&w->streams, d, pair.type);
    if (s == NULL ||
        window.covers_from >
            plan_next_start(s, window.end, w->lookback))
      continue;
    plan_cursor_abandon(s);
    plan_cursor_cover(s, window.covers_from, window.end);
  }
}

/* ---- failures ---- */

/* A failure that speaks of the key, the signature, the clock or the
 * endpoint, not of one domain: every other call would fail the same way.
 * Which Codes do is the table's (APICODE_ACCOUNT). */
static bool watch_account_trouble(const char *code, long http_status) {
  if (http_status == 0 || http_status >= 500 || code[0] == '\0' ||
      retry_is_throttled(http_status, code))
    return true;
  return apicode_is(code, APICODE_ACCOUNT);
}

/* A site gone: the domains that found it with ListSites look it up
 * again; a SiteId given stays (the configuration must change). */
static void watch_forget_site(watch_t *w, uint64_t site_id) {
  for (size_t i = 0; i < w->domains.count; i++)
    if (w->domains.entries[i].site_id == site_id &&
        !w->domains.entries[i].site_given)
      w->domains.entries[i].site_id = 0;
  sites_settle_owners(&w->domains, w->hostless_types);
}

watch_failure_t watch_on_failure(watch_t *w, watch_call_t call,
                                 const watch_pair_t *pair, const char *code,
                                 long http_status, bool *first) {
  bool refused = apicode_is(code, APICODE_REFUSED);
  if (first != NULL)
    *first = false;
  switch (call) {
  case WATCH_CALL_ACCOUNT_LIST:
    if (!refused || w->query_mode != CONF_QUERY_AUTO || w->domain_mode)
      return WATCH_FAIL_POLL;
    w->domain_mode = true;
    domtab_sleep_found(&w->domains);
    plan_cursor_abandon(&w->scan);
    return WATCH_FAIL_SWITCH;
  case WATCH_CALL_PAIR_LIST: {
    plan_cursor_t *c =
        pair ? streams_at(&w->streams, pair->domain, pair->type) : NULL;
    if (c == NULL || watch_account_trouble(code, http_status))
      return WATCH_FAIL_POLL;
    if (first != NULL)
      *first = !c->failing;
    c->failing = true;
    if (w->by_site && apicode_is(code, APICODE_SITE_GONE))
      watch_forget_site(w, w->domains.entries[pair->domain].site_id);
    return WATCH_FAIL_PAIR;
  }
  case WATCH_CALL_BY_ID:
    if (!refused)
      return WATCH_FAIL_POLL;
    w->byid_refused = true;
    plan_idqueue_clear(&w->by_id);
    return WATCH_FAIL_BYID_REFUSED;
  case WATCH_CALL_QUOTA:
    if (!refused)
      return WATCH_FAIL_POLL;
    w->quota_refused = true;
    return WATCH_FAIL_QUOTA_REFUSED;
  }
  return WATCH_FAIL_POLL;
}

bool watch_pair_failing(const watch_t *w, watch_pair_t pair) {
  const plan_cursor_t *c = streams_get(&w->streams, pair.domain, pair.type);
  return c != NULL && c->failing;
}

bool watch_pair_recovered(watch_t *w, watch_pair_t pair) {
  plan_cursor_t *c = streams_at(&w->streams, pair.domain, pair.type);
  bool was = c != NULL && c->failing;
  if (c != NULL)
    c->failing = false;
  return was;
}

void watch_expire(watch_t *w, time_t now) {
  time_t oldest = plan_oldest(now, w->lookback);
  tasktable_expire(&w->tasks, oldest, plan_keep_oldest(now));
  /* What the expiry dropped is no longer known. */
  streams_each(&w->streams, plan_cursor_forget_before, oldest);
}
