/* Task counts per configured domain, object type and status. */
#ifndef DCDN_TALLY_H
#define DCDN_TALLY_H

#include "core/conf.h"
#include "core/taskstore.h"

typedef struct {
  unsigned long count[TASK_TYPE_COUNT][TASK_STATUS_COUNT];
} tally_t;

/* Fills counts[i] for account->domains[i] (zeroing first). Tasks of other
 * domains, and of unknown types or statuses, are not counted. */
void tally_count(const conf_account_t *account, const taskstore_t *store,
                 tally_t *counts);

#endif
