/* One interval of one account: scan, count, dispatch. */
#ifndef DCDN_POLL_H
#define DCDN_POLL_H

#include "plugin.h"

/* The read callback registered per account (user_data: account_t). */
int poll_account(user_data_t *user_data);

#endif
