#include "dcdn_config.h"

#include "collectd.h"

#include "shell/poll.h"

#include "core/plan.h"
#include "core/tally.h"
#include "core/taskstore.h"
#include "shell/account.h"
#include "shell/dispatch.h"
#include "shell/log.h"

#include <stdlib.h>
#include <time.h>

#define POLL_ACTION "DescribeDcdnRefreshTasks"

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

static int poll_store_page(account_t *account, resp_page_t *page,
                           taskstore_t *store) {
  for (size_t i = 0; i < page->count; i++) {
    poll_warn_unknown(account, &page->tasks[i]);
    if (taskstore_put(store, &page->tasks[i]) != 0) {
      DCDN_ERROR("account \"%s\": out of memory storing tasks",
                 account->conf.name);
      return -1;
    }
  }
  return 0;
}

/* Fetches every page of the Lookback window into store. */
static int poll_scan(account_t *account, taskstore_t *store) {
  plan_scan_t scan;
  plan_scan_begin(&scan, time(NULL), account->conf.lookback);
  bool more = true;
  while (more) {
    params_t params = PARAMS_INIT;
    resp_page_t page = {0};
    int status = plan_scan_page_params(&scan, &params);
    if (status == 0)
      status = api_call_tasks(&account->api, POLL_ACTION, &params, &page);
    if (status == 0)
      status = poll_store_page(account, &page, store);
    if (status == 0)
      more = plan_scan_advance(&scan, page.total_count);
    params_free(&params);
    resp_page_free(&page);
    if (status != 0)
      return -1;
  }
  return 0;
}

int poll_account(user_data_t *user_data) {
  account_t *account = user_data->data;
  taskstore_t store = TASKSTORE_INIT;
  /* Values are dispatched only after a whole scan: a partial one would
   * report counts that never existed. */
  int status = poll_scan(account, &store);
  if (status == 0) {
    tally_t *counts = calloc(account->conf.domain_count, sizeof(*counts));
    if (counts == NULL) {
      status = -1;
    } else {
      tally_count(&account->conf, &store, counts);
      dispatch_counts(&account->conf, counts);
      free(counts);
    }
  }
  taskstore_free(&store);
  return status;
}
