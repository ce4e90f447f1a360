#include "core/site.h"

#include "core/ascii.h"
#include "core/conf_domain.h"
#include "core/grow.h"

#include <stdlib.h>
#include <string.h>

int sites_add(sites_t *s, uint64_t id, const char *name) {
  char *copy = strdup(name);
  if (copy == NULL)
    return -1;
  for (char *c = copy; *c; c++)
    *c = ascii_tolower(*c);
  /* A peer's text becomes a plugin_instance: only a host name may. */
  if (id == 0 || !conf_valid_domain_name(copy) ||
      grow_for_one((void **)&s->items, &s->cap, s->count,
                   sizeof(*s->items)) != 0) {
    free(copy);
    return -1;
  }
  s->items[s->count++] = (site_t){id, copy};
  return 0;
}

void sites_free(sites_t *s) {
  for (size_t i = 0; i < s->count; i++)
    free(s->items[i].name);
  free(s->items);
  *s = (sites_t)SITES_INIT;
}

/* Whether name is domain, or ends it after a dot. */
static bool sites_holds(const char *name, const char *domain) {
  size_t n = strlen(name), d = strlen(domain);
  return n <= d && strcmp(domain + d - n, name) == 0 &&
         (n == d || domain[d - n - 1] == '.');
}

const site_t *sites_find_for(const sites_t *s, const char *domain) {
  const site_t *best = NULL;
  for (size_t i = 0; i < s->count; i++)
    if (sites_holds(s->items[i].name, domain) &&
        (best == NULL || strlen(s->items[i].name) > strlen(best->name)))
      best = &s->items[i];
  return best;
}

static bool sites_reported(const domtab_entry_t *d) {
  return d->type_mask != 0; /* not dormant */
}

bool sites_lookup_due(const domtab_t *tab) {
  for (size_t i = 0; i < tab->count; i++)
    if (sites_reported(&tab->entries[i]) && tab->entries[i].site_id == 0)
      return true;
  return false;
}

bool sites_any_known(const domtab_t *tab) {
  for (size_t i = 0; i < tab->count; i++)
    if (sites_reported(&tab->entries[i]) && tab->entries[i].site_id != 0)
      return true;
  return false;
}

size_t sites_assign(const sites_t *s, domtab_t *tab, unsigned hostless_types) {
  size_t without = 0;
  for (size_t i = 0; i < tab->count; i++) {
    domtab_entry_t *d = &tab->entries[i];
    if (d->site_given || !sites_reported(d))
      continue;
    const site_t *site = sites_find_for(s, d->name);
    d->site_id = site ? site->id : 0;
    without += site == NULL;
  }
  sites_settle_owners(tab, hostless_types);
  return without;
}

void sites_settle_owners(domtab_t *tab, unsigned hostless_types) {
  for (uint32_t i = 0; i < tab->count; i++) {
    domtab_entry_t *d = &tab->entries[i];
    d->not_owner = 0;
    for (unsigned t = 0; d->site_id != 0 && t < TASK_TYPE_COUNT; t++)
      if ((hostless_types & d->type_mask & (1u << t)) &&
          sites_owner(tab, d->site_id, t) != i)
        d->not_owner |= 1u << t;
  }
}

uint32_t sites_owner(const domtab_t *tab, uint64_t site_id, unsigned type) {
  uint32_t owner = DOMTAB_NONE;
  for (uint32_t i = 0; site_id != 0 && i < tab->count; i++) {
    const domtab_entry_t *d = &tab->entries[i];
    if (d->site_id != site_id || !sites_reported(d) ||
        (type < TASK_TYPE_COUNT && !(d->type_mask & (1u << type))))
      continue;
    const char *best = owner != DOMTAB_NONE ? tab->entries[owner].name : NULL;
    if (best == NULL || strlen(d->name) < strlen(best) ||
        (strlen(d->name) == strlen(best) && strcmp(d->name, best) < 0))
      owner = i;
  }
  return owner;
}

static bool sites_quota_listed(const site_quota_call_t *calls, size_t n,
                               site_quota_call_t c) {
  for (size_t i = 0; i < n; i++)
    if (calls[i].site_id == c.site_id && calls[i].type == c.type)
      return true;
  return false;
}

long sites_quota_calls(const product_t *p, const domtab_t *tab,
                       site_quota_call_t **out) {
  *out = NULL;
  size_t n = 0, cap = 0;
  for (size_t i = 0; p->quota_by_type && i < tab->count; i++) {
    const domtab_entry_t *d = &tab->entries[i];
    for (unsigned t = 0; d->site_id != 0 && t < TASK_TYPE_COUNT; t++) {
      site_quota_call_t c = {d->site_id, t};
      /* A type with no Type value (ESA's preloads) has no purge quota. */
      if (!(d->type_mask & (1u << t)) || !product_has_type(p, t) ||
          p->type_api[t][0] == '\0' || sites_quota_listed(*out, n, c))
        continue;
      if (grow_for_one((void **)out, &cap, n, sizeof(**out)) != 0) {
        free(*out);
        *out = NULL;
        return -1;
      }
      (*out)[n++] = c;
    }
  }
  return (long)n;
}
