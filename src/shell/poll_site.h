/* The calls of a product whose tasks belong to sites (ESA): ListSites,
 * when a domain's site is not known yet, and the quota of each site and
 * purge type. What to call is core/site.c's; this only calls. */
#ifndef DCDN_POLL_SITE_H
#define DCDN_POLL_SITE_H

#include "shell/account.h"

/* Reads every page of ListSites when a reported domain has no site yet,
 * and gives each domain its site; a domain on none is logged once. A
 * failed listing is logged and leaves the sites as they were. */
void poll_site_lookup(account_t *a);

/* The quota calls the sites need this poll. */
long poll_site_quota_count(const account_t *a);
/* GetPurgeQuota for each site and purge type reported, into
 * a->site_quotas (one entry per site). call makes one call the way every
 * quota call is made (a refused one stops asking). */
void poll_site_quota(account_t *a,
                     api_status_t (*call)(account_t *a,
                                          const params_t *params,
                                          resp_quota_t *out));

#endif
