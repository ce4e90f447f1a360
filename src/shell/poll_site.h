/* The calls of a product whose tasks belong to sites (ESA): ListSites,
 * when a domain's site is not known yet, and the quota of each site and
 * purge type. What to call is core/site.c's and core/site_quota.c's; this
 * only calls. */
#ifndef DCDN_POLL_SITE_H
#define DCDN_POLL_SITE_H

#include "shell/account.h"

/* Reads every page of ListSites when a reported domain has no site yet,
 * and gives each domain its site; a domain on none is logged once. A
 * refused listing is warned about once; while some domain has its site
 * (a SiteId) it is not asked again (API_OK). Another failure, or a
 * refusal when no domain has a site, returns API_FAILED with err set, for
 * the poll to end and the account's health to tell (the caller logs it). */
api_status_t poll_site_lookup(account_t *a, api_error_t *err);

/* The quota calls the sites need, all of them (one per site and purge
 * type reported), made a->quota_slots' list (what each last answered
 * kept); -1 when out of memory. */
long poll_site_quota_wanted(account_t *a);
/* Up to share of them, in turn from where the last poll stopped; then
 * a->site_quotas holds every site's last figures, under its owner's name. A
 * call refused for a site is not made again for it (one warning). */
void poll_site_quota(account_t *a, long share);

#endif
