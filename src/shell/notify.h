/* Notifications through collectd: a task failed, is stuck or recovered;
 * an account's calls need a human, or work again. */
#ifndef DCDN_NOTIFY_H
#define DCDN_NOTIFY_H

#include "core/domtab.h"
#include "core/task.h"
#include "shell/account.h"

#include <time.h>

typedef enum { NOTIFY_FAILED, NOTIFY_STUCK, NOTIFY_RECOVERED } notify_kind_t;

void notify_task(const account_t *account, const domtab_entry_t *domain,
                 const task_t *task, notify_kind_t kind, time_t now);
/* failed: FAILURE with the reason; otherwise OKAY. */
void notify_account(const account_t *account, bool failed, const char *why);

#endif
