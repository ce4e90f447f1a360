/* The domains an account reports: the configured ones, plus those found in
 * its tasks when it is configured with Domain "*". Indices are stable, so
 * that tracked tasks can refer to their domain by number. */
#ifndef DCDN_DOMTAB_H
#define DCDN_DOMTAB_H

#include "core/conf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOMTAB_NONE UINT32_MAX /* a task of a domain nobody reports */
/* Domain "*" cannot make the table grow without bound. */
#define DOMTAB_MAX_DOMAINS 10000

typedef struct {
  char *name;
  unsigned type_mask;
  int stuck_after; /* seconds, the account's unless the domain has its own */
  unsigned notify; /* CONF_NOTIFY_* bits, likewise */
  unsigned report; /* CONF_REPORT_* bits, likewise */
  bool found;      /* added by Domain "*", not configured by name */
  /* ESA: the site whose tasks hold the domain's (SiteId, or found with
   * ListSites); 0 while unknown. */
  uint64_t site_id;
  bool site_given; /* by SiteId: never looked up */
  /* Types of type_mask whose tasks name no host (cache tags), left to the
   * site's owner: not reported here (sites_settle_owners). */
  unsigned not_owner;
} domtab_entry_t;

typedef struct {
  domtab_entry_t *entries; /* in insertion order: index = domain number */
  uint32_t *by_name;       /* entry indices sorted by name */
  size_t count;
  size_t cap;
  bool wildcard;                    /* add every domain a task names */
  domtab_entry_t wildcard_settings; /* what <Domain "*"> gives a new one */
} domtab_t;

/* Copies the account's domains; "*" sets wildcard. Returns 0 or -1. */
int domtab_init(domtab_t *tab, const conf_account_t *account);
uint32_t domtab_find(const domtab_t *tab, const char *name);
/* The domain's number, adding it when wildcard; DOMTAB_NONE otherwise. */
uint32_t domtab_resolve(domtab_t *tab, const char *name);
/* A domain no longer reported whose tasks are kept (from a state file, so
 * that what was notified of them is not notified again should it be
 * reported once more): its type_mask is 0. Returns its number, or
 * DOMTAB_NONE when out of memory or the table is full. */
uint32_t domtab_add_dormant(domtab_t *tab, const char *name);
/* Domain by domain, only the domains listed by name are read: those that
 * Domain "*" found become dormant (reported no more, their tasks kept). */
void domtab_sleep_found(domtab_t *tab);
void domtab_free(domtab_t *tab);

#endif
