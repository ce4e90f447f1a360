/* ESA's sites: which site holds each domain (the one ListSites names
 * that equals the domain or is its longest suffix), and which quota calls
 * the sites need. Pure; the shell makes the ListSites and GetPurgeQuota
 * calls these decide. */
#ifndef DCDN_SITE_H
#define DCDN_SITE_H

#include "core/domtab.h"
#include "core/product.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t id;
  char *name; /* lowercase, owned */
} site_t;

/* The sites a ListSites reading found (owned; grows page by page). */
typedef struct {
  site_t *items;
  size_t count;
  size_t cap;
} sites_t;

#define SITES_INIT                                                             \
  { NULL, 0, 0 }

/* Adds a site; a name that is no host name is refused (-1), as is memory
 * running out (-1). */
int sites_add(sites_t *s, uint64_t id, const char *name);
void sites_free(sites_t *s);

/* The site holding a domain: SiteName equal to it, or the longest that
 * ends it at a label ("example.net" holds "www.example.net", not
 * "myexample.net"). NULL when none does. */
const site_t *sites_find_for(const sites_t *s, const char *domain);

/* Whether a reported domain's site is still unknown: a ListSites is due. */
bool sites_lookup_due(const domtab_t *tab);
/* Whether some reported domain's site is known: something can be read. */
bool sites_any_known(const domtab_t *tab);
/* Gives each reported domain without a SiteId the site that holds it (a
 * site gone from the listing is forgotten), then settles the owners.
 * Returns how many have none. */
size_t sites_assign(const sites_t *s, domtab_t *tab, unsigned hostless_types);
/* Each domain's not_owner: the hostless types it reports that its site's
 * owner (sites_owner) takes. A domain whose site is unknown keeps them
 * until it is known (it is not read before). */
void sites_settle_owners(domtab_t *tab, unsigned hostless_types);
/* A site's owner among the account's domains: the shortest reported
 * domain on it (the site's own name when configured: every other domain
 * of the site ends with it), the first in name order on a tie; of those
 * reporting type, or of all when type is TASK_TYPE_UNKNOWN. Its tasks
 * without a host (cache tags) count for it, its quota is sent under its
 * name: whatever ListSites said, so a restart or a listing that failed
 * changes nothing. DOMTAB_NONE when the site has no such domain. */
uint32_t sites_owner(const domtab_t *tab, uint64_t site_id, unsigned type);

/* One GetPurgeQuota: a site and one of its purge types. */
typedef struct {
  uint64_t site_id;
  unsigned type;
} site_quota_call_t;

/* The quota calls of a poll: each (site, purge type) a reported domain
 * has, once, in domain order. Fills *out (free it); returns the count, or
 * -1 when out of memory. A product without quota_by_type needs none. */
long sites_quota_calls(const product_t *p, const domtab_t *tab,
                       site_quota_call_t **out);

#endif
