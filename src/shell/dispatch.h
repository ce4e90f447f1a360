/* Values of an account's poll -> collectd's pipeline. */
#ifndef DCDN_DISPATCH_H
#define DCDN_DISPATCH_H

#include "core/conf.h"
#include "core/tally.h"

/* One "count" value per domain, configured object type and status:
 * dcdn-<domain>/count-<type>-<status>, zeros included. */
void dispatch_counts(const conf_account_t *account, const tally_t *counts);

#endif
