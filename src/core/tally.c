#include "core/tally.h"

#include <string.h>

void tally_count(const conf_account_t *account, const taskstore_t *store,
                 tally_t *counts) {
  memset(counts, 0, account->domain_count * sizeof(*counts));
  size_t pos = 0;
  const task_t *task;
  while ((task = taskstore_next(store, &pos)) != NULL) {
    char domain[256];
    if (task->type == TASK_TYPE_UNKNOWN ||
        task->status == TASK_STATUS_UNKNOWN ||
        task_domain_of_path(task->object_path, domain, sizeof(domain)) != 0)
      continue;
    const conf_domain_t *d = conf_find_domain(account, domain);
    if (d != NULL)
      counts[d - account->domains].count[task->type][task->status]++;
  }
}
