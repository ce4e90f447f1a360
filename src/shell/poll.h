/* One interval of one account: scan, count, notify, save the state. */
#ifndef DCDN_POLL_H
#define DCDN_POLL_H

#include "core/report.h"
#include "shell/account.h"

/* One poll, in the account's thread (or in the read callback under
 * collectd -T). Fills *out with the values it found for the read callback
 * to send. Returns 0, or -1 when out of memory (*out is then empty). The
 * caller saves the state after handing the values on (state_save): under
 * collectd -T, values sent just before it exits would find collectd's
 * write threads already stopped. */
int poll_once(account_t *account, report_t *out);

#endif
