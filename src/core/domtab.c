#include "core/domtab.h"

#include "core/grow.h"

#include <stdlib.h>
#include <string.h>

static size_t domtab_position(const domtab_t *tab, const char *name,
                              bool *found) {
  size_t lo = 0, hi = tab->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(tab->entries[tab->by_name[mid]].name, name);
    if (c == 0) {
      *found = true;
      return mid;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = false;
  return lo;
}

static int domtab_add(domtab_t *tab, const char *name,
                      const domtab_entry_t *settings, uint32_t *index) {
  bool found = false;
  size_t pos = domtab_position(tab, name, &found);
  if (found) {
    *index = tab->by_name[pos];
    return 0;
  }
  /* Both arrays grow together; the second gets the first's new size. */
  size_t cap = tab->cap;
  if (grow_for_one((void **)&tab->entries, &cap, tab->count,
                   sizeof(*tab->entries)) != 0 ||
      grow_for_one((void **)&tab->by_name, &tab->cap, tab->count,
                   sizeof(*tab->by_name)) != 0)
    return -1;
  char *copy = strdup(name);
  if (copy == NULL)
    return -1;
  *index = (uint32_t)tab->count;
  tab->entries[tab->count] = *settings;
  tab->entries[tab->count].name = copy;
  memmove(&tab->by_name[pos + 1], &tab->by_name[pos],
          (tab->count - pos) * sizeof(*tab->by_name));
  tab->by_name[pos] = *index;
  tab->count++;
  return 0;
}

/* A domain's own settings, or its account's where it has none. */
static domtab_entry_t domtab_settings(const conf_account_t *account,
                                      const conf_domain_t *d) {
  return (domtab_entry_t){
      .type_mask = d->type_mask,
      .stuck_after =
          d->stuck_after != CONF_INHERIT ? d->stuck_after : account->stuck_after,
      .notify =
          (unsigned)(d->notify != CONF_INHERIT ? d->notify : account->notify),
      .report =
          (unsigned)(d->report != CONF_INHERIT ? d->report : account->report),
      .site_id = d->site_id,
      .site_given = d->site_id != 0};
}

int domtab_init(domtab_t *tab, const conf_account_t *account) {
  memset(tab, 0, sizeof(*tab));
  tab->wildcard_settings =
      (domtab_entry_t){.type_mask = CONF_TYPES_ALL,
                       .stuck_after = account->stuck_after,
                       .notify = (unsigned)account->notify,
                       .report = (unsigned)account->report};
  for (size_t i = 0; i < account->domain_count; i++) {
    const conf_domain_t *d = &account->domains[i];
    domtab_entry_t settings = domtab_settings(account, d);
    uint32_t index;
    if (strcmp(d->name, CONF_WILDCARD_DOMAIN) == 0) {
      tab->wildcard = true;
      tab->wildcard_settings = settings;
    } else if (domtab_add(tab, d->name, &settings, &index) != 0)
      return -1;
  }
  return 0;
}

uint32_t domtab_find(const domtab_t *tab, const char *name) {
  bool found = false;
  size_t pos = domtab_position(tab, name, &found);
  return found ? tab->by_name[pos] : DOMTAB_NONE;
}

uint32_t domtab_resolve(domtab_t *tab, const char *name) {
  uint32_t index = domtab_find(tab, name);
  if (index != DOMTAB_NONE || !tab->wildcard ||
      tab->count >= DOMTAB_MAX_DOMAINS)
    return index;
  domtab_entry_t found = tab->wildcard_settings;
  found.found = true;
  return domtab_add(tab, name, &found, &index) == 0 ? index : DOMTAB_NONE;
}

void domtab_sleep_found(domtab_t *tab) {
  for (size_t i = 0; i < tab->count; i++)
    if (tab->entries[i].found)
      tab->entries[i].type_mask = 0;
}

uint32_t domtab_add_dormant(domtab_t *tab, const char *name) {
  static const domtab_entry_t dormant = {.type_mask = 0};
  uint32_t index;
  if (tab->count >= DOMTAB_MAX_DOMAINS ||
      domtab_add(tab, name, &dormant, &index) != 0)
    return DOMTAB_NONE;
  return index;
}

void domtab_free(domtab_t *tab) {
  for (size_t i = 0; i < tab->count; i++)
    free(tab->entries[i].name);
  free(tab->entries);
  free(tab->by_name);
  memset(tab, 0, sizeof(*tab));
}
