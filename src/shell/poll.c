#include "dcdn_config.h"

#include "collectd.h"

#include "shell/poll.h"

#include "core/lifecycle.h"
#include "core/plan.h"
#include "core/retry.h"
#include "core/tally.h"
#include "shell/account.h"
#include "shell/dispatch.h"
#include "shell/log.h"
#include "shell/notify.h"
#include "shell/state.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_LIST_ACTION "DescribeDcdnRefreshTasks"
#define POLL_BYID_ACTION "DescribeDcdnRefreshTaskById"
#define POLL_FORBIDDEN "Forbidden.RAM"

/* What one interval of one account is doing. */
typedef struct {
  account_t *account;
  time_t now;
} poll_t;

static void poll_warn_unknown(account_t *account, const task_t *task) {
  if (task->unknown_type && account_first_warning(account, task->unknown_type))
    DCDN_WARNING("account \"%s\": task %s has an unknown ObjectType \"%s\"; "
                 "such tasks are not counted",
                 account->conf.name, task->task_id, task->unknown_type);
  if (task->unknown_status &&
      account_first_warning(account, task->unknown_status))
    DCDN_WARNING("account \"%s\": task %s has an unknown Status \"%s\"; "
                 "such tasks are not counted",
                 account->conf.name, task->task_id, task->unknown_status);
}

/* Reading a stream's history for the first time: what is already over is
 * counted, not announced. */
static bool poll_first_load(const account_t *account, const tracked_task_t *t) {
  if (!account->domain_mode)
    return account->account_cursor.covered_until == 0;
  size_t i = (size_t)t->domain * TASK_TYPE_COUNT + t->type;
  return i >= account->domain_cursor_count ||
         account->domain_cursors[i].covered_until == 0;
}

static void poll_notify(poll_t *p, const domtab_entry_t *domain,
                        const task_t *task, const lifecycle_events_t *ev) {
  if (ev->notify_failed && (domain->notify & CONF_NOTIFY_FAILED))
    notify_task(p->account, domain, task, NOTIFY_FAILED, p->now);
  if (ev->notify_stuck && (domain->notify & CONF_NOTIFY_STUCK))
    notify_task(p->account, domain, task, NOTIFY_STUCK, p->now);
  if (ev->notify_recovered && (domain->notify & CONF_NOTIFY_STUCK))
    notify_task(p->account, domain, task, NOTIFY_RECOVERED, p->now);
}

/* What the new sighting means (counters, completion time, notifications),
 * for tasks of a reported domain and object type. */
static int poll_lifecycle(poll_t *p, const task_t *task, tracked_task_t *t) {
  account_t *account = p->account;
  const tracked_task_t *known = tracker_get(&account->tracker, t->id);
  tracked_task_t old = known ? *known : (tracked_task_t){0};
  const domtab_entry_t *domain = t->domain < account->domains.count
                                     ? &account->domains.entries[t->domain]
                                     : NULL;
  lifecycle_events_t ev;
  lifecycle_observe(known ? &old : NULL, t, p->now,
                    domain ? domain->stuck_after : account->conf.stuck_after,
                    poll_first_load(account, t), &ev);
  if (domain == NULL || t->type >= TASK_TYPE_COUNT ||
      !(domain->type_mask & (1u << t->type)))
    return 0;
  if (ledger_record(&account->ledger, t->domain, t->type, &ev) != 0)
    return -1;
  poll_notify(p, domain, task, &ev);
  return 0;
}

static int poll_track(poll_t *p, const task_t *task) {
  account_t *account = p->account;
  tracked_task_t t = {0};
  if (tracker_parse_id(task->task_id, &t.id) != 0) {
    if (account_first_warning(account, task->task_id))
      DCDN_WARNING("account \"%s\": TaskId \"%s\" is not a number; the task "
                   "is not counted",
                   account->conf.name, task->task_id);
    return 0;
  }
  char domain[CONF_MAX_DOMAIN_LEN + 1];
  t.domain = task_domain_of_path(task->object_path, domain, sizeof(domain)) == 0
                 ? domtab_resolve(&account->domains, domain)
                 : DOMTAB_NONE;
  t.created = task->created;
  t.type = (uint8_t)task->type;
  t.status = (uint8_t)task->status;
  t.progress = (uint8_t)task->progress;
  bool is_new = false;
  if (poll_lifecycle(p, task, &t) != 0 ||
      tracker_put(&account->tracker, &t, &is_new) != 0) {
    DCDN_ERROR("account \"%s\": out of memory tracking tasks",
               account->conf.name);
    return -1;
  }
  account->window_new_tasks += is_new;
  return 0;
}

static int poll_store_page(poll_t *p, const resp_page_t *page) {
  for (size_t i = 0; i < page->count; i++) {
    poll_warn_unknown(p->account, &page->tasks[i]);
    if (poll_track(p, &page->tasks[i]) != 0)
      return -1;
  }
  return 0;
}

/* What a page said of the window's size. */
typedef struct {
  long total_count;
  size_t tasks;
} poll_page_size_t;

/* One call; its tasks go into the tracker. size (may be NULL) gets the
 * page's TotalCount and its number of tasks. */
static api_status_t poll_call(poll_t *p, const char *action,
                              const params_t *params, poll_page_size_t *size,
                              api_error_t *err) {
  resp_page_t page;
  api_status_t st =
      api_call_tasks(&p->account->api, action, params, &page, err);
  if (st == API_OK && poll_store_page(p, &page) != 0)
    st = API_FAILED;
  if (size != NULL)
    *size = (poll_page_size_t){page.total_count, page.count};
  resp_page_free(&page);
  return st;
}

static void poll_warn_overstated(const poll_t *p, const plan_window_t *w,
                                 const poll_page_size_t *size) {
  if (plan_total_overstated(w, size->total_count, size->tasks))
    DCDN_WARNING("account \"%s\": %s page %ld held %zu tasks, yet TotalCount "
                 "is %ld; taking it as the last page",
                 p->account->conf.name, POLL_LIST_ACTION, w->page, size->tasks,
                 size->total_count);
}

/* Scans a cursor's window page by page until it is done or the budget is
 * spent. domain NULL: account-wide. */
static api_status_t poll_window(poll_t *p, plan_cursor_t *cursor,
                                const char *domain, task_type_t type,
                                api_error_t *err) {
  for (;;) {
    params_t params = PARAMS_INIT;
    poll_page_size_t size = {0, 0};
    api_status_t st =
        plan_window_params(&cursor->window, domain, type, &params) == 0
            ? poll_call(p, POLL_LIST_ACTION, &params, &size, err)
            : API_FAILED;
    params_free(&params);
    if (st != API_OK)
      return st;
    poll_warn_overstated(p, &cursor->window, &size);
    if (!plan_window_advance(&cursor->window, size.total_count, size.tasks)) {
      plan_cursor_finish(cursor);
      return API_OK;
    }
  }
}

static api_status_t poll_by_id(poll_t *p, api_error_t *err) {
  plan_idqueue_t *q = &p->account->by_id;
  while (!plan_idqueue_empty(q)) {
    params_t params = PARAMS_INIT;
    api_status_t st = plan_idqueue_params(q, &params) == 0
                          ? poll_call(p, POLL_BYID_ACTION, &params, NULL, err)
                          : API_FAILED;
    params_free(&params);
    if (st != API_OK)
      return st;
    plan_idqueue_pop(q);
  }
  return API_OK;
}

/* The next window of a task's cursor starts here: an in-flight task older
 * than that would not be seen again without help. */
typedef time_t (*poll_cutoff_fn)(const poll_t *p, const tracked_task_t *t);

static time_t poll_account_cutoff(const poll_t *p, const tracked_task_t *t) {
  (void)t;
  return plan_next_start(&p->account->account_cursor, p->now,
                         p->account->conf.lookback);
}

static plan_cursor_t *poll_domain_cursor(account_t *account, uint32_t domain,
                                         unsigned type) {
  size_t i = (size_t)domain * TASK_TYPE_COUNT + type;
  return domain < account->domains.count && type < TASK_TYPE_COUNT &&
                 i < account->domain_cursor_count
             ? &account->domain_cursors[i]
             : NULL;
}

static time_t poll_domain_cutoff(const poll_t *p, const tracked_task_t *t) {
  plan_cursor_t *c = poll_domain_cursor(p->account, t->domain, t->type);
  return c ? plan_next_start(c, p->now, p->account->conf.lookback) : 0;
}

static bool poll_left_behind(const poll_t *p, const tracked_task_t *t,
                             poll_cutoff_fn cutoff) {
  return tracker_in_flight(t) && t->created < cutoff(p, t);
}

static plan_refresh_input_t poll_in_flight(const poll_t *p,
                                           poll_cutoff_fn cutoff) {
  plan_refresh_input_t in = {0, 0, 0, p->account->last_window_tasks};
  const tracker_t *tr = &p->account->tracker;
  const tracked_task_t *t;
  size_t pos = 0;
  while ((t = tracker_next(tr, &pos)) != NULL) {
    if (poll_left_behind(p, t, cutoff)) {
      if (in.in_flight++ == 0 || t->created < in.oldest_in_flight)
        in.oldest_in_flight = t->created;
    }
  }
  time_t window_start = poll_account_cutoff(p, NULL);
  pos = 0;
  while (in.in_flight > 0 && (t = tracker_next(tr, &pos)) != NULL)
    in.known_in_range +=
        t->created >= in.oldest_in_flight && t->created < window_start;
  return in;
}

static int poll_queue_by_id(poll_t *p, poll_cutoff_fn cutoff) {
  account_t *account = p->account;
  if (!plan_idqueue_empty(&account->by_id))
    return 0; /* the last interval's batch is still being worked off */
  size_t pos = 0;
  const tracked_task_t *t;
  while ((t = tracker_next(&account->tracker, &pos)) != NULL)
    if (poll_left_behind(p, t, cutoff) &&
        plan_idqueue_push(&account->by_id, t->id) != 0)
      return -1;
  return 0;
}

/* Account mode: one window over all the account's tasks. */
/* Begins the next account-wide window, choosing how to refresh the tasks
 * in flight that it does not reach. */
static int poll_begin_account_window(poll_t *p) {
  account_t *account = p->account;
  plan_refresh_input_t in = poll_in_flight(p, poll_account_cutoff);
  plan_refresh_t how = plan_choose_refresh(&in);
  if (how == PLAN_REFRESH_BYID && poll_queue_by_id(p, poll_account_cutoff))
    return -1;
  plan_cursor_begin(&account->account_cursor, p->now, account->conf.lookback,
                    how == PLAN_REFRESH_RESCAN ? in.oldest_in_flight : 0);
  account->window_new_tasks = 0;
  return 0;
}

/* Account mode: one window over all the account's tasks. A window resumed
 * from an earlier interval ends in the past: once it is done, the window
 * up to now follows in the same interval while the budget lasts. */
static api_status_t poll_account_mode(poll_t *p, api_error_t *err) {
  account_t *account = p->account;
  plan_cursor_t *cursor = &account->account_cursor;
  while (cursor->scanning || cursor->covered_until < p->now) {
    if (!cursor->scanning && poll_begin_account_window(p) != 0)
      return API_FAILED;
    api_status_t st = poll_window(p, cursor, NULL, TASK_TYPE_UNKNOWN, err);
    if (st != API_OK)
      return st;
    account->last_window_tasks = account->window_new_tasks;
  }
  return poll_by_id(p, err);
}

static int poll_compare_cursors(const void *a, const void *b) {
  const plan_cursor_t *ca = *(plan_cursor_t *const *)a;
  const plan_cursor_t *cb = *(plan_cursor_t *const *)b;
  return (ca->covered_until > cb->covered_until) -
         (ca->covered_until < cb->covered_until);
}

/* The cursors of configured domains and types, stalest first. */
static size_t poll_domain_order(account_t *account, plan_cursor_t **order) {
  size_t n = 0;
  for (uint32_t d = 0; d < account->domains.count; d++)
    for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
      if (account->domains.entries[d].type_mask & (1u << t))
        order[n++] = poll_domain_cursor(account, d, t);
  qsort(order, n, sizeof(*order), poll_compare_cursors);
  return n;
}

/* Domain mode: DomainName + ObjectType windows, as far as the budget goes;
 * in-flight tasks left behind are looked up by id. */
static api_status_t poll_domain_mode(poll_t *p, api_error_t *err) {
  account_t *account = p->account;
  plan_cursor_t **order =
      calloc(account->domain_cursor_count + 1, sizeof(*order));
  if (order == NULL || poll_queue_by_id(p, poll_domain_cutoff) != 0) {
    free(order);
    return API_FAILED;
  }
  size_t n = poll_domain_order(account, order);
  /* Lookups by id first: they are few, and the windows would take the
   * whole budget of a large account. */
  api_status_t st = poll_by_id(p, err);
  for (size_t i = 0; i < n && st == API_OK && account->api.budget_left > 0;
       i++) {
    size_t index = (size_t)(order[i] - account->domain_cursors);
    uint32_t domain = (uint32_t)(index / TASK_TYPE_COUNT);
    if (plan_cursor_begin(order[i], p->now, account->conf.lookback, 0))
      st = poll_window(p, order[i], account->domains.entries[domain].name,
                       (task_type_t)(index % TASK_TYPE_COUNT), err);
  }
  free(order);
  return st;
}

static api_status_t poll_switch_to_domains(poll_t *p, api_error_t *err) {
  account_t *account = p->account;
  DCDN_NOTICE("account \"%s\": the API answered %s to an account-wide query: "
              "querying domain by domain from now on (QueryMode auto)",
              account->conf.name, POLL_FORBIDDEN);
  if (account->domains.wildcard)
    DCDN_WARNING("account \"%s\": Domain \"*\" cannot be served domain by "
                 "domain; only the domains listed by name are reported",
                 account->conf.name);
  if (account_enter_domain_mode(account) != 0)
    return API_FAILED;
  return poll_domain_mode(p, err);
}

static api_status_t poll_run(poll_t *p, api_error_t *err) {
  account_t *account = p->account;
  if (account->domain_mode)
    return poll_domain_mode(p, err);
  api_status_t st = poll_account_mode(p, err);
  if (st == API_FAILED && account->conf.query_mode == CONF_QUERY_AUTO &&
      strcmp(err->code, POLL_FORBIDDEN) == 0)
    return poll_switch_to_domains(p, err);
  return st;
}

static void poll_quota(account_t *account) {
  api_error_t err;
  resp_quota_t quota;
  api_status_t st = api_call_quota(&account->api, &quota, &err);
  if (st == API_FAILED)
    api_log_error(&account->api, API_QUOTA_ACTION, &err);
  account->have_quota = st == API_OK;
  if (st == API_OK)
    account->quota = quota;
}

static void poll_health(account_t *account, api_status_t st,
                        const api_error_t *err) {
  /* No credentials to send with counts as an endpoint that is away. */
  long http_status = err->http_status < 0 ? 0 : err->http_status;
  health_change_t change = health_observe(&account->health, st != API_FAILED,
                                          http_status, err->code);
  if (change == HEALTH_UNCHANGED ||
      !(account->conf.notify & CONF_NOTIFY_ACCOUNT))
    return;
  char why[STATS_CODE_LEN + 600];
  if (err->code[0] != '\0')
    snprintf(why, sizeof(why), "%s: %s", err->code, err->message);
  else
    snprintf(why, sizeof(why), "%s unreachable: %s", account->conf.endpoint,
             err->reason);
  notify_account(account, change == HEALTH_FAILED_NOW, why);
}

int poll_account(user_data_t *user_data) {
  account_t *account = user_data->data;
  poll_t p = {account, time(NULL)};
  if (account->first_poll == 0)
    account->first_poll = p.now;
  account->api.budget_left = plan_budget(
      account->conf.rate_limit, CDTIME_T_TO_DOUBLE(plugin_get_interval()));
  stats_interval_reset(&account->api.stats);
  ledger_interval_reset(&account->ledger);
  api_error_t err = {0};
  api_status_t st = poll_run(&p, &err);
  if (st == API_FAILED)
    api_log_error(&account->api, err.action ? err.action : POLL_LIST_ACTION,
                  &err);
  poll_health(account, st, &err);
  if (account->conf.collect_quota && st != API_FAILED)
    poll_quota(account);
  tracker_expire(&account->tracker, plan_oldest(p.now, account->conf.lookback));
  dispatch_account(account, p.now);
  state_save(account);
  /* A failure has been logged and told by the account's health: collectd's
   * backoff (doubling up to MaxReadInterval, a day by default) would only
   * delay seeing the recovery, so the next interval tries again. */
  return 0;
}
