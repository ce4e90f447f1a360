/* An account's interval -> collectd's pipeline: task counts and staleness
 * per domain, self-monitoring per account. */
#ifndef DCDN_DISPATCH_H
#define DCDN_DISPATCH_H

#include "shell/account.h"

#include <time.h>

void dispatch_account(const account_t *account, time_t now);

#endif
