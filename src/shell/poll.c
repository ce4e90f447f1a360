/* One interval of one account: carries out what the watch (core/watch.c)
 * decides, call by call, and stores the answers. */
#include "dcdn_config.h"

#include "collectd.h"

#include "shell/poll.h"

#include "core/apicode.h"
#include "core/health.h"
#include "core/plan.h"
#include "core/site.h"
#include "core/strbuf.h"
#include "core/watch.h"
#include "shell/account.h"
#include "shell/log.h"
#include "shell/notify.h"
#include "shell/poll_site.h"
#include "shell/state.h"
#include "shell/stop.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const product_t *poll_product(const account_t *a) {
  return api_product(&a->api);
}

/* What one interval of one account is doing. */
typedef struct {
  account_t *account;
  time_t now; /* the API's time when the poll began */
  /* While a site's list (ESA) is read: the site, and the domain its tasks
   * without a host count for ("" when none reports their type). */
  uint64_t site_id;
  const char *site_owner;
  /* Domain mode: what the pairs' queries came to, and the last pair's own
   * failure (the poll's, when they all failed). */
  health_pairs_t pairs;
  api_error_t pair_err;
} poll_t;

/* Network text made printable and bounded for one log line. */
typedef struct {
  char text[160];
} poll_peer_text_t;

static poll_peer_text_t poll_printable(const char *s) {
  poll_peer_text_t out = {""};
  strbuf_t b = STRBUF_INIT;
  strbuf_append_printable(&b, s ? s : "(none)", sizeof(out.text) - 8);
  snprintf(out.text, sizeof(out.text), "%s", strbuf_str(&b) ? b.data : "?");
  strbuf_free(&b);
  return out;
}

static void poll_warn(account_t *a, warnonce_kind_t kind, const char *value,
                      const char *task_id, const char *what) {
  if (!warnonce_first(&a->warned, kind, value))
    return;
  DCDN_WARNING("account \"%s\": task %s %s \"%s\"; such tasks are not "
               "counted",
               a->conf.name, poll_printable(task_id).text, what,
               poll_printable(value).text);
}

/* Why a task of an answer is not tracked, worth a word once. */
static void poll_warn_task(poll_t *p, const task_t *task,
                           watch_verdict_t verdict) {
  account_t *a = p->account;
  char what[64];
  snprintf(what, sizeof(what), "has an unknown %s",
           poll_product(a)->type_member);
  if (task->unknown_type)
    poll_warn(a, WARNONCE_UNKNOWN_TYPE, task->unknown_type, task->task_id,
              what);
  if (task->unknown_status)
    poll_warn(a, WARNONCE_UNKNOWN_STATUS, task->unknown_status, task->task_id,
              "has an unknown Status");
  if (verdict == WATCH_BAD_TASK_ID)
    poll_warn(a, WARNONCE_BAD_TASK_ID, task->task_id, task->task_id,
              "has a TaskId that is not a number:");
  /* Only Domain "*" would have taken the host as a domain. */
  if (verdict == WATCH_BAD_HOST && a->watch.domains.wildcard)
    poll_warn(a, WARNONCE_BAD_HOST, task->object_path, task->task_id,
              "has no valid host name in its ObjectPath");
}

static void poll_notify(poll_t *p, uint32_t domain, const task_t *task,
                        const lifecycle_events_t *ev) {
  account_t *a = p->account;
  const domtab_entry_t *d = &a->watch.domains.entries[domain];
  if (a->read_only)
    return; /* the process that holds the state notifies */
  if (ev->notify_failed && (d->notify & CONF_NOTIFY_FAILED))
    notify_task(a, d, task, NOTIFY_FAILED, p->now);
  if (ev->notify_stuck && (d->notify & CONF_NOTIFY_STUCK))
    notify_task(a, d, task, NOTIFY_STUCK, p->now);
  if (ev->notify_recovered && (d->notify & CONF_NOTIFY_STUCK))
    notify_task(a, d, task, NOTIFY_RECOVERED, p->now);
}

static int poll_store_page(poll_t *p, const resp_page_t *page) {
  account_t *a = p->account;
  for (size_t i = 0; i < page->skipped_count; i++) {
    const resp_skipped_t *s = &page->skipped[i];
    if (warnonce_first(&a->warned, WARNONCE_UNREADABLE_FIELD, s->field))
      DCDN_WARNING("account \"%s\": task %s: field %s is unreadable; the "
                   "task is skipped (the rest of the page counts)",
                   a->conf.name, poll_printable(s->task_id).text, s->field);
  }
  for (size_t i = 0; i < page->count; i++) {
    watch_seen_t seen;
    page->tasks[i].site_id = p->site_id;
    if (poll_product(a)->hostless_types & (1u << page->tasks[i].type))
      page->tasks[i].owner_host = p->site_owner;
    watch_observe(&a->watch, &page->tasks[i], p->now, &seen);
    if (seen.verdict == WATCH_NO_MEMORY) {
      DCDN_ERROR("account \"%s\": out of memory tracking tasks", a->conf.name);
      return -1;
    }
    poll_warn_task(p, &page->tasks[i], seen.verdict);
    if (seen.verdict == WATCH_TRACKED)
      poll_notify(p, seen.domain, &page->tasks[i], &seen.events);
  }
  return 0;
}

/* What a page said of the window's size. */
typedef struct {
  long total_count;
  size_t tasks;
} poll_page_size_t;

/* One call; its tasks go into the watch. size (may be NULL) gets the
 * page's TotalCount and its number of tasks. */
static api_status_t poll_call(poll_t *p, const char *action,
                              const params_t *params, poll_page_size_t *size,
                              api_error_t *err) {
  resp_page_t page;
  api_status_t st =
      api_call_tasks(&p->account->api, action, params, &page, err);
  if (st == API_OK && poll_store_page(p, &page) != 0)
    st = API_FAILED;
  /* A skipped task still took its place on the page: a full page with
   * one unreadable task is not the last one. */
  if (size != NULL)
    *size =
        (poll_page_size_t){page.total_count, page.count + page.skipped_count};
  resp_page_free(&page);
  return st;
}

static void poll_warn_overstated(const poll_t *p, const char *action,
                                 const plan_window_t *w,
                                 const poll_page_size_t *size) {
  if (plan_total_overstated(w, size->total_count, size->tasks))
    DCDN_WARNING("account \"%s\": %s page %ld held %zu tasks, yet TotalCount "
                 "is %ld; taking it as the last page",
                 p->account->conf.name, action, w->page, size->tasks,
                 size->total_count);
}

/* The cursor a window is read on: the pair's, or the account-wide scan.
 * Looked up afresh for each page: the stream table may grow meanwhile. */
static plan_cursor_t *poll_cursor(poll_t *p, const watch_pair_t *pair) {
  watch_t *w = &p->account->watch;
  return pair ? streams_at(&w->streams, pair->domain, pair->type) : &w->scan;
}

/* A page's parameters: the window's, and the pair's own (domain mode).
 * Returns the action, or NULL when out of memory. */
static const char *poll_page_params(poll_t *p, const watch_pair_t *pair,
                                    const plan_window_t *window,
                                    params_t *params) {
  const watch_t *w = &p->account->watch;
  const product_t *product = poll_product(p->account);
  if (plan_window_params(window, params) != 0)
    return NULL;
  if (pair == NULL)
    return product->list_action;
  const domtab_entry_t *d = &w->domains.entries[pair->domain];
  return product_pair_query(product, d->name, d->site_id, pair->type, params);
}

/* Scans a window page by page until it is done or the budget is spent.
 * Every page is asked for inside the API's three days, and before its now,
 * as they are when it is sent (a long scan would otherwise ask for time
 * the API no longer keeps, and one after a step back of the API's clock
 * for time it has not reached). */
static api_status_t poll_window(poll_t *p, const watch_pair_t *pair,
                                api_error_t *err) {
  watch_t *w = &p->account->watch;
  bool replanned = false;
  p->site_id = pair && w->by_site ? w->domains.entries[pair->domain].site_id : 0;
  uint32_t owner = sites_owner(&w->domains, p->site_id, pair ? pair->type : 0);
  p->site_owner = owner != DOMTAB_NONE ? w->domains.entries[owner].name : "";
  for (;;) {
    plan_cursor_t *c = poll_cursor(p, pair);
    if (c == NULL)
      return API_FAILED;
    if (!plan_window_clamp(&c->window, api_now(&p->account->api)))
      return API_OK; /* all of it left the three days */
    params_t params = PARAMS_INIT;
    poll_page_size_t size = {0, 0};
    const char *action = poll_page_params(p, pair, &c->window, &params);
    api_status_t st = action ? poll_call(p, action, &params, &size, err)
                             : API_FAILED;
    params_free(&params);
    /* The answer's Date may tell that the API's clock stepped back. */
    p->now = plan_poll_now(p->now, api_now(&p->account->api));
    /* Asked for time the API does not keep or has not reached: planned on
     * this host's clock before an answer told the API's. The refusal's
     * Date just did: plan the page again, once. */
    if (st == API_FAILED && !replanned &&
        apicode_is(err->code, APICODE_TIME_RANGE)) {
      replanned = true;
      continue;
    }
    if (st != API_OK)
      return st;
    c = poll_cursor(p, pair);
    poll_warn_overstated(p, action, &c->window, &size);
    if (!plan_window_advance(&c->window, size.total_count, size.tasks))
      return API_OK;
  }
}

/* The queued lookups by id. A key refused them refreshes by re-scanning
 * from now on, and the windows go on. */
static api_status_t poll_by_id(poll_t *p, api_error_t *err) {
  account_t *a = p->account;
  plan_idqueue_t *q = &a->watch.by_id;
  while (!plan_idqueue_empty(q)) {
    params_t params = PARAMS_INIT;
    api_status_t st = plan_idqueue_params(q, &params) == 0
                          ? poll_call(p, poll_product(a)->byid_action, &params,
                                      NULL, err)
                          : API_FAILED;
    params_free(&params);
    if (st == API_FAILED &&
        watch_on_failure(&a->watch, WATCH_CALL_BY_ID, NULL, err->code,
                         err->http_status, NULL) == WATCH_FAIL_BYID_REFUSED) {
      DCDN_WARNING("account \"%s\": the key may not call %s (%s): tasks in "
                   "flight are refreshed by re-scanning from now on; grant "
                   "%s:%s (%s) to save calls",
                   a->conf.name, poll_product(a)->byid_action, err->code,
                   poll_product(a)->name, poll_product(a)->byid_action,
                   poll_product(a)->ram_policy);
      return API_OK;
    }
    if (st != API_OK)
      return st;
    plan_idqueue_pop(q);
  }
  return API_OK;
}

static api_status_t poll_no_memory(api_error_t *err) {
  snprintf(err->reason, sizeof(err->reason), "out of memory");
  return api_fail_not_sent(err);
}

/* Account mode: the account-wide window, and then, when it was one resumed
 * from an earlier interval and so ends in the past, the window up to now
 * (at most these two in one interval). */
static api_status_t poll_account_mode(poll_t *p, api_error_t *err) {
  watch_t *w = &p->account->watch;
  for (int round = 0; round < 2; round++) {
    int more = watch_account_begin(w, p->now);
    if (more < 0)
      return poll_no_memory(err);
    if (more == 0)
      break;
    api_status_t st = poll_window(p, NULL, err);
    if (st != API_OK)
      return st;
    watch_account_done(w);
  }
  return poll_by_id(p, err);
}

/* One pair's window. Its own failure (a domain the key's RAM policy does
 * not grant, say) is logged once and ends only this pair's turn. */
static api_status_t poll_pair(poll_t *p, watch_pair_t pair, api_error_t *err) {
  account_t *a = p->account;
  const char *domain = a->watch.domains.entries[pair.domain].name;
  const char *type = task_type_name((task_type_t)pair.type);
  api_status_t st = poll_window(p, &pair, err);
  if (st == API_OK) {
    p->pairs.read++;
    watch_pair_done(&a->watch, pair);
    if (watch_pair_recovered(&a->watch, pair))
      DCDN_NOTICE("account \"%s\": domain %s, type %s: %s works again",
                  a->conf.name, domain, type,
                  product_pair_action(poll_product(a), pair.type));
    return API_OK;
  }
  bool first = false;
  if (st != API_FAILED ||
      watch_on_failure(&a->watch, WATCH_CALL_PAIR_LIST, &pair, err->code,
                       err->http_status, &first) != WATCH_FAIL_PAIR)
    return st;
  p->pairs.failed++;
  p->pair_err = *err;
  if (first)
    DCDN_ERROR("account \"%s\": domain %s, type %s: %s failed: HTTP %ld, "
               "Code \"%s\", Message \"%s\"; its staleness grows, the other "
               "domains go on",
               a->conf.name, domain, type,
               err->action ? err->action : poll_product(a)->list_action,
               err->http_status,
               poll_printable(err->code).text,
               poll_printable(err->message).text);
  return API_OK;
}

/* Domain mode: lookups by id first (they are few, and the windows would
 * take the whole budget of a large account), then DomainName + ObjectType
 * windows, stalest first, as far as the budget goes. */
static api_status_t poll_domain_mode(poll_t *p, api_error_t *err) {
  watch_t *w = &p->account->watch;
  watch_pair_t *pairs = NULL;
  long n = watch_domain_order(w, p->now, &pairs);
  if (n < 0 || watch_queue_left_behind(w, p->now) != 0) {
    free(pairs);
    return poll_no_memory(err);
  }
  api_status_t st = poll_by_id(p, err);
  for (long i = 0; i < n; i++) {
    bool may_call = st == API_OK && p->account->api.budget_left > 0;
    if (may_call && watch_pair_begin(w, pairs[i], p->now))
      st = poll_pair(p, pairs[i], err);
    else /* not due, or past the budget: granted, unless known to fail */
      p->pairs.untried += !watch_pair_failing(w, pairs[i]);
  }
  free(pairs);
  return st;
}

static api_status_t poll_run(poll_t *p, api_error_t *err) {
  account_t *a = p->account;
  if (!a->watch.domain_mode) {
    api_status_t st = poll_account_mode(p, err);
    if (st != API_FAILED || err->action == NULL ||
        strcmp(err->action, poll_product(a)->list_action) != 0 ||
        watch_on_failure(&a->watch, WATCH_CALL_ACCOUNT_LIST, NULL, err->code,
                         err->http_status, NULL) != WATCH_FAIL_SWITCH)
      return st;
    DCDN_NOTICE("account \"%s\": the API answered %s to an account-wide %s: "
                "querying domain by domain from now on (QueryMode auto)",
                a->conf.name, err->code, poll_product(a)->list_action);
    if (a->watch.domains.wildcard)
      DCDN_WARNING("account \"%s\": Domain \"*\" cannot be served domain by "
                   "domain; only the domains listed by name are reported",
                   a->conf.name);
  }
  return poll_domain_mode(p, err);
}

static void poll_warn_unknown_quota(account_t *a, const resp_quota_t *q) {
  for (size_t i = 0; i < q->unknown_count; i++)
    if (warnonce_first(&a->warned, WARNONCE_UNKNOWN_QUOTA, q->unknown[i]))
      DCDN_WARNING("account \"%s\": %s answered an undocumented member "
                   "\"%s\"; it is not reported",
                   a->conf.name, poll_product(a)->quota_action, q->unknown[i]);
}

/* One quota call. A key refused it stops asking, with one warning. */
static api_status_t poll_quota_call(account_t *a, const params_t *params,
                                    resp_quota_t *out) {
  api_error_t err;
  api_status_t st = api_call_quota(&a->api, params, out, &err);
  if (st == API_FAILED &&
      watch_on_failure(&a->watch, WATCH_CALL_QUOTA, NULL, err.code,
                       err.http_status, NULL) == WATCH_FAIL_QUOTA_REFUSED)
    DCDN_WARNING("account \"%s\": the key may not call %s (%s): the quota "
                 "is not asked for any more; grant %s:%s (%s) or set "
                 "CollectQuota false",
                 a->conf.name, poll_product(a)->quota_action, err.code,
                 poll_product(a)->name, poll_product(a)->quota_action,
                 poll_product(a)->ram_policy);
  else if (st == API_FAILED)
    api_log_error(&a->api, poll_product(a)->quota_action, &err);
  if (st == API_OK)
    poll_warn_unknown_quota(a, out);
  return st;
}

/* The account's quota, or its sites' (ESA: as many as share allows). */
static void poll_quota(account_t *a, long share) {
  if (!a->conf.collect_quota || a->watch.quota_refused)
    return;
  if (poll_product(a)->quota_by_type) {
    poll_site_quota(a, share);
    return;
  }
  params_t none = PARAMS_INIT;
  resp_quota_t quota;
  a->have_quota = poll_quota_call(a, &none, &quota) == API_OK;
  if (a->have_quota)
    a->quota = quota;
}

/* The quota's calls, kept out of the windows' share of the budget. */
static long poll_quota_calls(account_t *a) {
  if (!a->conf.collect_quota || a->watch.quota_refused)
    return 0;
  long n = poll_product(a)->quota_by_type ? poll_site_quota_wanted(a) : 1;
  return n > 0 ? n : 0;
}

static void poll_health(account_t *account, bool ok, const api_error_t *err) {
  /* A poll cut short because collectd is stopping says nothing of the
   * account: no FAILURE for a shutdown that takes a few intervals. */
  if (stop_requested())
    return;
  /* No credentials to send with counts as an endpoint that is away: not
   * sent, like no answer, has HTTP status 0. */
  health_change_t change =
      health_observe(&account->health, ok, err->http_status, err->code);
  if (change == HEALTH_UNCHANGED || account->read_only ||
      !(account->conf.notify & CONF_NOTIFY_ACCOUNT))
    return;
  char why[SELFSTATS_CODE_LEN + 600];
  if (err->kind == API_FAIL_NO_CREDENTIALS) /* the endpoint was not asked */
    snprintf(why, sizeof(why), "%s", err->reason);
  else if (err->kind == API_FAIL_API)
    snprintf(why, sizeof(why), "%s: %s", err->code, err->message);
  else if (err->kind == API_FAIL_HTTP) /* an answer, not the API's */
    snprintf(why, sizeof(why), "HTTP %ld from %s%s%s: %s", err->http_status,
             account->conf.endpoint,
             account->conf.proxy ? " through Proxy " : "",
             account->conf.proxy ? account->conf.proxy : "", err->reason);
  else
    snprintf(why, sizeof(why), "%s unreachable: %s", account->conf.endpoint,
             err->reason);
  notify_account(account, change == HEALTH_FAILED_NOW, why);
}

/* The values of the poll just made, built at once. */
static int poll_report(account_t *account, time_t now, report_t *out) {
  report_input_t in = {poll_product(account)->name,
                       account->conf.name,
                       &account->watch,
                       &account->api.stats,
                       account->have_quota ? &account->quota : NULL,
                       account->site_quotas,
                       account->site_quota_count,
                       now,
                       worker_read_seconds(&account->worker)};
  if (report_build(&in, out) == 0)
    return 0;
  DCDN_ERROR("account \"%s\": out of memory building its values; none are "
             "sent this interval",
             account->conf.name);
  return -1;
}

int poll_once(account_t *account, report_t *out) {
  state_retake(account);
  /* After the retake: it alone changes read_only, and its load replaces
   * the watch. */
  account->watch.muted = account->read_only;
  poll_t p = {account, api_now(&account->api), 0, "", {0, 0, 0}, {0}};
  account->api.budget_left =
      plan_budget(account->conf.rate_limit, account->interval);
  selfstats_interval_reset(&account->api.stats);
  lifetime_interval_reset(&account->watch.lifetime);
  watch_begin_poll(&account->watch, p.now);
  api_error_t err = {0};
  api_status_t st = poll_site_lookup(account, &err);
  /* The quota's calls are kept out of the windows' share, so that a
   * domain mode that needs more than the budget still gets the quota. */
  long quota_call =
      plan_quota_reserve(poll_quota_calls(account), account->api.budget_left);
  account->api.budget_left -= quota_call;
  if (st != API_FAILED)
    st = poll_run(&p, &err);
  if (st == API_FAILED)
    api_log_error(&account->api,
                  err.action ? err.action : poll_product(account)->list_action,
                  &err);
  /* Every pair refused (a key refused every list): the account's failure,
   * with the pairs' Code, though each pair's own line is logged once. */
  bool pairs_failed = st == API_OK && health_pairs_failed(&p.pairs);
  if (pairs_failed)
    err = p.pair_err;
  poll_health(account, st != API_FAILED && !pairs_failed, &err);
  account->poll_failed = st == API_FAILED || pairs_failed;
  account->api.budget_left += quota_call;
  if (st != API_FAILED)
    poll_quota(account, quota_call);
  watch_expire(&account->watch, p.now);
  return poll_report(account, p.now, out);
}
