/* The runtime of one configured <Account>: what its read callback owns. */
#ifndef DCDN_ACCOUNT_H
#define DCDN_ACCOUNT_H

#include "core/conf.h"
#include "core/domtab.h"
#include "core/health.h"
#include "core/ledger.h"
#include "core/plan.h"
#include "core/resp.h"
#include "core/tracker.h"
#include "shell/api.h"

#include <stdbool.h>
#include <time.h>

#define ACCOUNT_MAX_WARNED 64

typedef struct {
  conf_account_t conf;
  api_client_t api;
  domtab_t domains;
  tracker_t tracker;
  /* QueryMode domain, or auto after the API answered Forbidden.RAM. */
  bool domain_mode;
  plan_cursor_t account_cursor;
  /* Domain mode: one cursor per configured domain and object type,
   * [domain * TASK_TYPE_COUNT + type]. */
  plan_cursor_t *domain_cursors;
  size_t domain_cursor_count;
  plan_idqueue_t by_id;   /* in-flight tasks to look up */
  long window_new_tasks;  /* tasks first seen by the current window */
  long last_window_tasks; /* what the last window held: the next estimate */
  time_t first_poll;
  ledger_t ledger; /* completed/failed counters, completion times */
  health_t health;
  resp_quota_t quota; /* the last DescribeDcdnRefreshQuota answer */
  bool have_quota;
  bool state_save_failing; /* warn once, not every interval */
  /* Unknown ObjectType/Status values already warned about: once each. */
  char *warned[ACCOUNT_MAX_WARNED];
  size_t warned_count;
} account_t;

/* Takes ownership of *conf (zeroing it). Returns NULL on failure. */
account_t *account_create(conf_account_t *conf);
/* The free_func of the read callback: frees everything, wipes secrets. */
void account_destroy(void *account);
/* True the first time a value is seen (then remembered). */
bool account_first_warning(account_t *account, const char *value);
/* Domain mode from now on (QueryMode auto after Forbidden.RAM). */
int account_enter_domain_mode(account_t *account);

#endif
